-- FlowMap store, schema 9: node labels from the inventory's Node objects, which admin-tier `nodes` peers
-- (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) select node addresses by. A node known
-- only from pods' hostIP has no row: its labels are unknown, not empty. Migrations never change once shipped:
-- add a new numbered file instead.

CREATE TABLE IF NOT EXISTS inventory_node_labels (
    name   TEXT PRIMARY KEY,
    labels TEXT NOT NULL              -- as last inventoried, canonical `k=v,k=v`
) WITHOUT ROWID;
