-- FlowMap store, schema 10: Cilium ClusterMesh. An endpoint may be a workload of another cluster (`cluster`, the
-- name Hubble reports in `cluster_name`; empty for the local cluster and for every non-workload endpoint): the
-- same namespace, name and kind in two clusters are two endpoints, so `cluster` joins the unique key. SQLite
-- cannot change a UNIQUE constraint in place, so the table is rebuilt with the same ids (every reference to an
-- endpoint id stays valid). Migrations never change once shipped: add a new numbered file instead.
-- flowmap:foreign-keys-off (the runner turns foreign keys off for this file and runs foreign_key_check before
-- it commits; SQLite's documented procedure for changing a table's definition)

CREATE TABLE endpoints_v10 (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,          -- workload | reserved | external
    namespace     TEXT NOT NULL,
    name          TEXT NOT NULL,
    workload_kind TEXT NOT NULL,
    cluster       TEXT NOT NULL DEFAULT '',  -- ClusterMesh: another cluster's name; '' = local
    UNIQUE (kind, namespace, name, workload_kind, cluster)
);

INSERT INTO endpoints_v10 (id, kind, namespace, name, workload_kind, cluster)
    SELECT id, kind, namespace, name, workload_kind, '' FROM endpoints;

DROP TABLE endpoints;

ALTER TABLE endpoints_v10 RENAME TO endpoints;
