-- FlowMap store, schema 7: evidence per time bucket and per source (issue 17). Migrations never change once
-- shipped: add a new numbered file instead. Times and buckets are INTEGER nanoseconds since the Unix epoch.
--
-- Bucket convention (shared with every backend): a bucket is identified by its start,
-- bucket = floor(time_ns / bucket_ns) * bucket_ns, with the store's bucket_ns recorded once in store_meta. A flow
-- goes into the bucket of its start time. Rows are distinct edges x buckets (x observation points x sources for
-- the counts behind them), never one per flow.
--
-- Counting: edge_bucket_points holds each source's count per (edge, bucket, observation point) and is the truth;
-- edge_buckets holds the edge's count per bucket computed from it (points summed over sources, then
-- FlowStore.pointCount over points), rewritten whenever a source is added or forgotten. An edge's count over a
-- window is the sum of its buckets in it.
--
-- Source 0 holds what was stored before this schema (not attributable to one source: `forget` refuses the
-- sources without a source_evidence row). Each old edge becomes one bucket: the bucket of its first_seen (its
-- first/last seen and count are kept as they were). The old tables are emptied, not dropped, and every statement
-- here may run again harmlessly (a store whose user_version was lowered by hand re-runs it; the width stays).

CREATE TABLE IF NOT EXISTS store_meta (
    key   TEXT PRIMARY KEY,               -- 'bucket_ns': the bucket width, set when the store is created
    value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO store_meta (key, value) VALUES ('bucket_ns', 3600000000000);

-- One row per source ingested since this schema, whose contribution is kept per source (so `flowmap forget`
-- can remove it exactly): the first/last flow time of its edges (NULL without edges).
CREATE TABLE IF NOT EXISTS source_evidence (
    source_id  INTEGER PRIMARY KEY,       -- sources.id
    first_flow INTEGER,
    last_flow  INTEGER
);

-- An edge's evidence in one bucket (derived from edge_bucket_points).
CREATE TABLE IF NOT EXISTS edge_buckets (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,             -- allowed | denied | other
    bucket     INTEGER NOT NULL,
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket)
) WITHOUT ROWID;

-- Each source's count per edge, bucket and observation point (`direction/point`, '' when unknown).
CREATE TABLE IF NOT EXISTS edge_bucket_points (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    bucket     INTEGER NOT NULL,
    point      TEXT NOT NULL,
    source_id  INTEGER NOT NULL,          -- sources.id; 0: stored before schema 7
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, point, source_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS edge_bucket_drop_reasons (
    src       INTEGER NOT NULL,
    dst       INTEGER NOT NULL,
    proto     TEXT NOT NULL,
    port      INTEGER NOT NULL,
    outcome   TEXT NOT NULL,
    bucket    INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, reason, source_id)
) WITHOUT ROWID;

-- L7 requests per edge, bucket and source: kind http (method, path) or dns (query in `path`, method empty).
CREATE TABLE IF NOT EXISTS edge_bucket_l7 (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    bucket     INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    source_id  INTEGER NOT NULL,
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, kind, method, path, source_id)
) WITHOUT ROWID;

-- What flows told about endpoints, per source (so that forgetting a source forgets them too).
CREATE TABLE IF NOT EXISTS source_label_sets (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    labels      TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, labels, source_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source_addresses (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    address     TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, address, source_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source_names (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    name        TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, name, source_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source_services (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    service     TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, service, source_id)
) WITHOUT ROWID;

-- Moving what earlier schemas stored: every old edge into the bucket of its first_seen, as source 0. (The
-- 1 h width is the default's: nothing before this schema chose another.)
INSERT OR IGNORE INTO edge_buckets (src, dst, proto, port, outcome, bucket, flows, first_seen, last_seen)
    SELECT src, dst, proto, port, outcome,
           CASE WHEN first_seen >= 0 THEN first_seen / 3600000000000 * 3600000000000
                ELSE ((first_seen + 1) / 3600000000000 - 1) * 3600000000000 END,
           flows, first_seen, last_seen
    FROM edges;

INSERT OR IGNORE INTO edge_bucket_points (src, dst, proto, port, outcome, bucket, point, source_id, flows, first_seen,
                                last_seen)
    SELECT p.src, p.dst, p.proto, p.port, p.outcome, b.bucket, p.point, 0, p.flows, p.first_seen, p.last_seen
    FROM edge_points p JOIN edge_buckets b
      ON b.src = p.src AND b.dst = p.dst AND b.proto = p.proto AND b.port = p.port AND b.outcome = p.outcome;

INSERT OR IGNORE INTO edge_bucket_drop_reasons (src, dst, proto, port, outcome, bucket, reason, source_id)
    SELECT r.src, r.dst, r.proto, r.port, r.outcome, b.bucket, r.reason, 0
    FROM edge_drop_reasons r JOIN edge_buckets b
      ON b.src = r.src AND b.dst = r.dst AND b.proto = r.proto AND b.port = r.port AND b.outcome = r.outcome;

-- An L7 row without its edge (not written by FlowMap) keeps the bucket of its own first_seen.
INSERT OR IGNORE INTO edge_bucket_l7 (src, dst, proto, port, outcome, bucket, kind, method, path, source_id, flows,
                            first_seen, last_seen)
    SELECT l.src, l.dst, l.proto, l.port, l.outcome,
           coalesce(b.bucket, CASE WHEN l.first_seen >= 0 THEN l.first_seen / 3600000000000 * 3600000000000
                                   ELSE ((l.first_seen + 1) / 3600000000000 - 1) * 3600000000000 END),
           l.kind, l.method, l.path, 0, l.flows, l.first_seen, l.last_seen
    FROM edge_l7 l LEFT JOIN edge_buckets b
      ON b.src = l.src AND b.dst = l.dst AND b.proto = l.proto AND b.port = l.port AND b.outcome = l.outcome;

INSERT OR IGNORE INTO source_label_sets (endpoint_id, labels, source_id) SELECT endpoint_id, labels, 0 FROM label_sets;
INSERT OR IGNORE INTO source_addresses (endpoint_id, address, source_id) SELECT endpoint_id, address, 0 FROM endpoint_addresses;
INSERT OR IGNORE INTO source_names (endpoint_id, name, source_id) SELECT endpoint_id, name, 0 FROM endpoint_names;
INSERT OR IGNORE INTO source_services (endpoint_id, service, source_id) SELECT endpoint_id, service, 0 FROM endpoint_services;

DELETE FROM edges;
DELETE FROM edge_points;
DELETE FROM edge_drop_reasons;
DELETE FROM edge_l7;
DELETE FROM label_sets;
DELETE FROM endpoint_addresses;
DELETE FROM endpoint_names;
DELETE FROM endpoint_services;
