-- PostgreSQL twin of schema/0013_edge_addresses.sql: the addresses observed for the node ends (`reserved:host`,
-- `reserved:remote-node`, host-network pods) of each connection, per edge, bucket and source; and the sources
-- ingested before it, whose per-connection addresses are unknown. Shipped migrations never change: add a new
-- numbered file instead.
--   citus: distributed edge_bucket_addresses by src
--   citus: reference sources_before_edge_addresses

CREATE TABLE edge_bucket_addresses (
    src       BIGINT NOT NULL,
    dst       BIGINT NOT NULL,
    proto     TEXT COLLATE "C" NOT NULL,
    port      BIGINT NOT NULL,
    outcome   TEXT COLLATE "C" NOT NULL,
    bucket    BIGINT NOT NULL,
    side      BIGINT NOT NULL,             -- 0: the source end's address, 1: the destination end's
    address   TEXT COLLATE "C" NOT NULL,
    source_id BIGINT NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, side, address, source_id)
);

CREATE TABLE sources_before_edge_addresses (
    source_id BIGINT PRIMARY KEY
);

INSERT INTO sources_before_edge_addresses (source_id) SELECT id FROM sources;
INSERT INTO sources_before_edge_addresses (source_id)
    SELECT DISTINCT source_id FROM edge_bucket_points ON CONFLICT DO NOTHING;
