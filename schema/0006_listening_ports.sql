-- FlowMap store, schema 6: ports seen listening (a SYN to it, `is_reply: false`, trace reason NEW, an answer from
-- it), per endpoint, with how many flows showed it. Added up on every ingest and read back before the next one,
-- so a port seen opened in one file orients the replies of another (ReplyRule.listeningPort): without it, a file
-- holding only a server's answers would make rules of them. Ports an inventory declares (containerPort, Service
-- targetPort) are not copied here: they are read from the inventory tables. Migrations never change once shipped:
-- add a new numbered file instead.

CREATE TABLE IF NOT EXISTS listening_ports (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),
    proto       TEXT NOT NULL,
    port        INTEGER NOT NULL,
    flows       INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, proto, port)
) WITHOUT ROWID;
