-- FlowMap store, schema 4: each edge's count and first/last seen per observation point (`direction/point`, as the
-- aggregator keys them), so "the busiest point's count" holds across files and ingests: the same connections
-- captured one file per node (the source's egress on one node, the destination's ingress on another) count
-- once, not once per file, while later captures of the same point add up. `edges.flows` is computed from these
-- rows on every write (FlowStore.pointCount: points whose windows overlap saw the same connections and give
-- their maximum; windows apart are different connections and add). Migrations never change once shipped: add a
-- new numbered file instead.
-- (Number 4: schema 3 is the application id, from the same hardening round.)

CREATE TABLE IF NOT EXISTS edge_points (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    point      TEXT NOT NULL,             -- '' for counts stored before this schema
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, point)
) WITHOUT ROWID;

-- Edges stored before this schema keep their count, as one point of their own. (Idempotent: a store whose
-- user_version was lowered by hand re-runs it harmlessly; the '' point then equals the edge's count.)
INSERT OR IGNORE INTO edge_points (src, dst, proto, port, outcome, point, flows, first_seen, last_seen)
    SELECT src, dst, proto, port, outcome, '', flows, first_seen, last_seen FROM edges;
