-- PostgreSQL twin of schema/0011_inventory_routes.sql: the inventory's routes (Ingress rules, Gateway listeners,
-- HTTPRoute / GRPCRoute rules, admission webhooks), one row per (object, rule, backend Service port). A later
-- inventory naming an object replaces all of its rows. Shipped migrations never change: add a new numbered file.
--   citus: reference inventory_routes

CREATE TABLE inventory_routes (
    kind              TEXT COLLATE "C" NOT NULL,   -- Ingress, Gateway, HTTPRoute, GRPCRoute, ...WebhookConfiguration
    namespace         TEXT COLLATE "C" NOT NULL,   -- '' for the cluster-scoped webhook configurations
    name              TEXT COLLATE "C" NOT NULL,
    rule              TEXT COLLATE "C" NOT NULL,   -- host/path, listener name or webhook name
    service_namespace TEXT COLLATE "C" NOT NULL,   -- the backend Service; '' for a Gateway listener
    service_name      TEXT COLLATE "C" NOT NULL,
    service_port      BIGINT NOT NULL,             -- 0 when named (service_port_name); a Gateway listener's own port
    service_port_name TEXT COLLATE "C" NOT NULL,
    parent            TEXT COLLATE "C" NOT NULL,   -- ingress class, parent Gateways (ns/name,...), gateway class
    PRIMARY KEY (kind, namespace, name, rule, service_namespace, service_name, service_port, service_port_name)
);
