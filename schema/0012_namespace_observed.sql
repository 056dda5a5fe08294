-- FlowMap store, schema 12: when a namespace's labels were observed (`observed`, nanoseconds: the last flow time
-- of the batch that reported them, or the ingest time of an inventory). A report replaces the stored labels only
-- when it is newer, ties broken by the larger canonical label text, so concurrent ingesters (PostgreSQL) and
-- merged stores end with the same labels whatever order their writes commit in. Rows from before keep 0 (any
-- new report replaces them, as before). Migrations never change once shipped: add a new numbered file instead.

-- The table is rebuilt rather than altered (ADD COLUMN), so that the file also runs on a store that already has the
-- column (one whose user_version was rolled back: the runner re-applies later files, as every earlier one allows).
CREATE TABLE namespaces_v12 (
    name     TEXT PRIMARY KEY,
    labels   TEXT NOT NULL,
    observed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO namespaces_v12 (name, labels) SELECT name, labels FROM namespaces;

DROP TABLE namespaces;

ALTER TABLE namespaces_v12 RENAME TO namespaces;
