-- FlowMap store, schema 13: the addresses observed for the node ends of each connection (issue 23). Migrations
-- never change once shipped: add a new numbered file instead.
--
-- A node end is `reserved:host`, `reserved:remote-node` or a host-network pod (its address is its node's). Before
-- this schema their addresses were kept per endpoint only (source_addresses), so a rule for one workload admitted
-- every node address observed for the peer anywhere in the capture. Now each source records, per edge and bucket,
-- the addresses each node end showed on that edge; generate admits only those (docs/topologies.md).
--
-- Rows are distinct (edge, bucket, side, address, source): sets, not counts. `forget` deletes a source's rows,
-- `prune` a bucket's, `merge` carries them per source, `remap` moves them with the flows it maps.
CREATE TABLE IF NOT EXISTS edge_bucket_addresses (
    src       INTEGER NOT NULL,
    dst       INTEGER NOT NULL,
    proto     TEXT NOT NULL,
    port      INTEGER NOT NULL,
    outcome   TEXT NOT NULL,
    bucket    INTEGER NOT NULL,
    side      INTEGER NOT NULL,           -- 0: the source end's address, 1: the destination end's
    address   TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, side, address, source_id)
) WITHOUT ROWID;

-- Sources ingested before this schema: their connections' node addresses were not recorded. An edge with
-- evidence from one of them has unknown per-connection addresses (generate falls back only where that is
-- provably per connection, docs/topologies.md). Every source the store holds now (and source 0, the evidence
-- from before schema 7) is one; sources written from now on never are. Re-running this file (a store whose
-- user_version was lowered by hand) marks the sources ingested since too: never broader, only more fallbacks.
CREATE TABLE IF NOT EXISTS sources_before_edge_addresses (
    source_id INTEGER PRIMARY KEY
);

INSERT OR IGNORE INTO sources_before_edge_addresses (source_id) SELECT id FROM sources;
INSERT OR IGNORE INTO sources_before_edge_addresses (source_id) SELECT DISTINCT source_id FROM edge_bucket_points;
