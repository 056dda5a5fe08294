-- FlowMap store, schema 5: pod controllers of the inventory (Deployments, StatefulSets, DaemonSets, ReplicaSets,
-- Jobs, CronJobs) with their `spec.selector`, the selector `generate --selector controller` prefers. Migrations
-- never change once shipped: add a new numbered file instead.

CREATE TABLE IF NOT EXISTS inventory_controllers (
    namespace     TEXT NOT NULL,
    name          TEXT NOT NULL,          -- the workload its pods resolve to (a Deployment, not its ReplicaSets)
    workload_kind TEXT NOT NULL,
    selector      TEXT NOT NULL,          -- matchLabels, canonical `k=v,k=v`
    usable        INTEGER NOT NULL,       -- 0 when the selector also has matchExpressions (not used)
    PRIMARY KEY (namespace, name, workload_kind)
) WITHOUT ROWID;
