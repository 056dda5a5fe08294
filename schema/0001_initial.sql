-- FlowMap store, schema 1. Migrations never change once shipped: add a new numbered file instead.

-- One row per stable identity (workload, reserved entity, or external address).
CREATE TABLE endpoints (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,          -- workload | reserved | external
    namespace     TEXT NOT NULL,
    name          TEXT NOT NULL,
    workload_kind TEXT NOT NULL,
    UNIQUE (kind, namespace, name, workload_kind)
);

-- Distinct stable label sets seen per workload (canonical `k=v,k=v`, volatile keys removed).
CREATE TABLE label_sets (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    labels      TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, labels)
) WITHOUT ROWID;

-- Pod IPs seen per workload.
CREATE TABLE endpoint_addresses (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    address     TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, address)
) WITHOUT ROWID;

-- DNS names seen for external endpoints (Hubble destination_names).
CREATE TABLE endpoint_names (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    name        TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, name)
) WITHOUT ROWID;

-- Namespace labels as last reported (canonical `k=v,k=v`).
CREATE TABLE namespaces (
    name   TEXT PRIMARY KEY,
    labels TEXT NOT NULL
) WITHOUT ROWID;

-- Aggregated edges: the evidence inference works from. Times are nanoseconds since the Unix epoch.
CREATE TABLE edges (
    src        INTEGER NOT NULL REFERENCES endpoints (id),
    dst        INTEGER NOT NULL REFERENCES endpoints (id),
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,             -- allowed | denied | other
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome)
) WITHOUT ROWID;

CREATE TABLE edge_drop_reasons (
    src     INTEGER NOT NULL,
    dst     INTEGER NOT NULL,
    proto   TEXT NOT NULL,
    port    INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason  TEXT NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, reason)
) WITHOUT ROWID;

-- L7 requests per edge: kind http (method, path) or dns (query in `path`, method empty).
CREATE TABLE edge_l7 (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, kind, method, path)
) WITHOUT ROWID;

-- One row per ingested file (content_hash set: re-ingesting the same bytes is a no-op) or stream batch.
CREATE TABLE sources (
    id           INTEGER PRIMARY KEY,
    path         TEXT NOT NULL,
    format       TEXT NOT NULL,
    content_hash TEXT UNIQUE,
    ingested_at  INTEGER NOT NULL,
    lines        INTEGER NOT NULL,
    accepted     INTEGER NOT NULL,
    skipped      INTEGER NOT NULL,
    rejected     INTEGER NOT NULL,
    replies      INTEGER NOT NULL,
    bytes        INTEGER NOT NULL
);
