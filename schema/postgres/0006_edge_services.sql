-- PostgreSQL twin of schema/0014_edge_services.sql: the Service (`namespace/name[:port-name]`) each connection was
-- addressed to, per edge, bucket and source; and the sources ingested before it, whose per-connection Services
-- are unknown. Shipped migrations never change: add a new numbered file instead.
--   citus: distributed edge_bucket_services by src
--   citus: reference sources_before_edge_services

CREATE TABLE edge_bucket_services (
    src       BIGINT NOT NULL,
    dst       BIGINT NOT NULL,
    proto     TEXT COLLATE "C" NOT NULL,
    port      BIGINT NOT NULL,
    outcome   TEXT COLLATE "C" NOT NULL,
    bucket    BIGINT NOT NULL,
    service   TEXT COLLATE "C" NOT NULL,
    source_id BIGINT NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, service, source_id)
);

CREATE TABLE sources_before_edge_services (
    source_id BIGINT PRIMARY KEY
);

INSERT INTO sources_before_edge_services (source_id) SELECT id FROM sources;
INSERT INTO sources_before_edge_services (source_id)
    SELECT DISTINCT source_id FROM edge_bucket_points ON CONFLICT DO NOTHING;
