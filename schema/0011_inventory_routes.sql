-- FlowMap store, schema 11: the inventory's routes: Ingress rules, Gateway listeners, HTTPRoute / GRPCRoute rules
-- and admission webhooks (Validating/MutatingWebhookConfiguration), one row per (object, rule, backend Service
-- port). `check` and `explain` name the route an observed connection used; `generate` notes webhook calls from
-- the API server. A later inventory naming an object replaces all of its rows. Migrations never change once
-- shipped: add a new numbered file instead.

CREATE TABLE IF NOT EXISTS inventory_routes (
    kind              TEXT NOT NULL,      -- Ingress, Gateway, HTTPRoute, GRPCRoute, ...WebhookConfiguration
    namespace         TEXT NOT NULL,      -- '' for the cluster-scoped webhook configurations
    name              TEXT NOT NULL,
    rule              TEXT NOT NULL,      -- host/path, listener name or webhook name
    service_namespace TEXT NOT NULL,      -- the backend Service; '' for a Gateway listener
    service_name      TEXT NOT NULL,
    service_port      INTEGER NOT NULL,   -- 0 when named (service_port_name); a Gateway listener's own port
    service_port_name TEXT NOT NULL,
    parent            TEXT NOT NULL,      -- ingress class, parent Gateways (ns/name,...), gateway class; '' for webhooks
    PRIMARY KEY (kind, namespace, name, rule, service_namespace, service_name, service_port, service_port_name)
) WITHOUT ROWID;
