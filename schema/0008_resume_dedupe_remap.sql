-- FlowMap store, schema 8: growing files, stream de-duplication and re-mapping (docs/evidence-store.md).
-- Migrations never change once shipped: add a new numbered file instead.

-- Where each file ingest stopped, so a later ingest of the same file grown reads only what was appended: the
-- file must begin with the `raw_length` bytes that the source's `content_hash` covers; reading goes on at
-- `resume_offset` (decoded bytes up to the end of the last counted line; NULL: the file cannot be resumed) with the
-- reader's `reader_state` (a CSV header, a VPC field list). `head_hash` (SHA-256 of the first min(raw_length,
-- 65536) bytes) finds the candidates. One row per file source; none for stream batches, inventories and sources
-- stored before this schema. (Every statement here re-runs harmlessly, like 0004 and 0007, for a store whose
-- user_version was lowered by hand.)
CREATE TABLE IF NOT EXISTS source_resume (
    source_id     INTEGER PRIMARY KEY,    -- sources.id
    raw_length    INTEGER NOT NULL,
    resume_offset INTEGER,
    reader_state  TEXT,
    head_hash     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS source_resume_by_head ON source_resume (head_hash);

-- Flow events already stored by ingests with --dedupe-window: a 128-bit key of (time, source and destination
-- address and endpoint, ports, protocol, observation point) and the event's time. Pruned to the window below
-- the newest time on every write.
CREATE TABLE IF NOT EXISTS seen_flows (
    k1   INTEGER NOT NULL,
    k2   INTEGER NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (k1, k2)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_flows_by_time ON seen_flows (time);

-- Flows of IP-only formats (VPC, generic records) with an address no inventory knew when they were read, per
-- edge, bucket, observation point and source (the edge_bucket_points row they are counted in) and the addresses
-- as read: `flowmap remap` (and ingesting an inventory) maps them and moves their counts onto the workloads'
-- edges. `sides`: 1 the source address was not known, 2 the destination's, 3 both.
CREATE TABLE IF NOT EXISTS unmapped_flows (
    src        INTEGER NOT NULL,
    dst        INTEGER NOT NULL,
    proto      TEXT NOT NULL,
    port       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    bucket     INTEGER NOT NULL,
    point      TEXT NOT NULL,
    source_id  INTEGER NOT NULL,
    src_ip     TEXT NOT NULL,
    dst_ip     TEXT NOT NULL,
    sides      INTEGER NOT NULL,
    flows      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (src, dst, proto, port, outcome, bucket, point, source_id, src_ip, dst_ip)
) WITHOUT ROWID;
