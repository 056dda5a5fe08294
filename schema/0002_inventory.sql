-- FlowMap store, schema 2: the Kubernetes inventory (`flowmap ingest --format inventory`) and the Services flows
-- were addressed to. Migrations never change once shipped: add a new numbered file instead.
-- Times are nanoseconds since the Unix epoch.

-- Pods, each with the window in which it held its IPs (IPs are reused: one IP, several pods, disjoint windows).
CREATE TABLE inventory_pods (
    namespace    TEXT NOT NULL,
    name         TEXT NOT NULL,
    uid          TEXT NOT NULL,
    endpoint_id  INTEGER NOT NULL REFERENCES endpoints (id),  -- the pod's workload
    labels       TEXT NOT NULL,           -- all labels, canonical `k=v,k=v`
    node         TEXT NOT NULL,
    host_ip      TEXT NOT NULL,
    host_network INTEGER NOT NULL,        -- 0 | 1
    valid_from   INTEGER NOT NULL,
    valid_until  INTEGER,                 -- NULL: still holding its IPs at the last inventory
    PRIMARY KEY (namespace, name, uid)
) WITHOUT ROWID;

CREATE TABLE inventory_pod_ips (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    uid       TEXT NOT NULL,
    ip        TEXT NOT NULL,
    PRIMARY KEY (namespace, name, uid, ip)
) WITHOUT ROWID;

CREATE INDEX inventory_pod_ips_by_ip ON inventory_pod_ips (ip);

-- Container ports, named ones resolve Service targetPort names. The key lists the columns in their declared
-- order: SQLite 3.40's quick_check misreports WITHOUT ROWID rows as holding NULLs when it does not.
CREATE TABLE inventory_container_ports (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    uid       TEXT NOT NULL,
    proto     TEXT NOT NULL,
    port      INTEGER NOT NULL,
    port_name TEXT NOT NULL,
    PRIMARY KEY (namespace, name, uid, proto, port, port_name)
) WITHOUT ROWID;

-- Services as last inventoried: ClusterIPs, selector, ports, and backend addresses from EndpointSlices.
CREATE TABLE inventory_services (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    selector  TEXT NOT NULL,              -- canonical `k=v,k=v`, empty without a selector
    PRIMARY KEY (namespace, name)
) WITHOUT ROWID;

CREATE TABLE inventory_service_ips (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    ip        TEXT NOT NULL,
    PRIMARY KEY (namespace, name, ip)
) WITHOUT ROWID;

CREATE TABLE inventory_service_ports (
    namespace        TEXT NOT NULL,
    name             TEXT NOT NULL,
    port_name        TEXT NOT NULL,
    proto            TEXT NOT NULL,
    port             INTEGER NOT NULL,
    target_port      INTEGER NOT NULL,    -- 0 when the target is a named port
    target_port_name TEXT NOT NULL,
    PRIMARY KEY (namespace, name, proto, port)
) WITHOUT ROWID;

CREATE TABLE inventory_service_backends (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    ip        TEXT NOT NULL,
    PRIMARY KEY (namespace, name, ip)
) WITHOUT ROWID;

-- Node addresses (Node objects, pods' hostIP).
CREATE TABLE inventory_nodes (
    name    TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (name, address)
) WITHOUT ROWID;

-- Services flows were addressed to, per destination endpoint (`namespace/name[:port-name]`, Calico
-- dest_service_*).
CREATE TABLE endpoint_services (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    service     TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, service)
) WITHOUT ROWID;
