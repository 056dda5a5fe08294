-- PostgreSQL twin of schema/0010_cluster_mesh.sql: Cilium ClusterMesh. An endpoint may be a workload of another
-- cluster (`cluster`, the name Hubble reports in `cluster_name`; '' for the local cluster and for every
-- non-workload endpoint): the same namespace, name and kind in two clusters are two endpoints, so `cluster` joins
-- the unique key. PostgreSQL changes the constraint in place (ids stay as they are). Shipped migrations never
-- change: add a new numbered file instead.

ALTER TABLE endpoints ADD COLUMN cluster TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE endpoints DROP CONSTRAINT endpoints_kind_namespace_name_workload_kind_key;
ALTER TABLE endpoints ADD CONSTRAINT endpoints_identity_key UNIQUE (kind, namespace, name, workload_kind, cluster);
