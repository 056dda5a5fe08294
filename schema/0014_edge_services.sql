-- FlowMap store, schema 14: the Service each connection was addressed to (issue 23). Migrations never change once
-- shipped: add a new numbered file instead.
--
-- Before this schema the Service was kept per destination endpoint only (source_services), so when A reached B by
-- pod IP and C reached B through Service S, A's rule also named S (and `--services` could write `toServices` for
-- A). Now each source records, per edge and bucket, the Services (`namespace/name[:port-name]`) that edge's flows
-- were addressed to; evidence and `--services` use only a rule's own connections' (docs/topologies.md).
--
-- Rows are distinct (edge, bucket, service, source): sets, not counts. `forget` deletes a source's rows, `prune` a
-- bucket's, `merge` carries them per source, `remap` records them with the flows it maps to a Service's backends.
CREATE TABLE IF NOT EXISTS edge_bucket_services (
    src       INTEGER NOT NULL,
    dst       INTEGER NOT NULL,
    proto     TEXT NOT NULL,
    port      INTEGER NOT NULL,
    outcome   TEXT NOT NULL,
    bucket    INTEGER NOT NULL,
    service   TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, service, source_id)
) WITHOUT ROWID;

-- Sources ingested before this schema: their connections' Services were not recorded. An edge with evidence from
-- one of them has unknown per-connection Services (evidence names the destination's Services as before; `--services`
-- never writes `toServices` for it). Every source the store holds now (and source 0) is one; sources written from
-- now on never are. Re-running this file marks the sources ingested since too: never broader, only more fallbacks.
CREATE TABLE IF NOT EXISTS sources_before_edge_services (
    source_id INTEGER PRIMARY KEY
);

INSERT OR IGNORE INTO sources_before_edge_services (source_id) SELECT id FROM sources;
INSERT OR IGNORE INTO sources_before_edge_services (source_id) SELECT DISTINCT source_id FROM edge_bucket_points;
