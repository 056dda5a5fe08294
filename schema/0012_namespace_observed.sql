-- FlowMap store, schema 12: when a namespace's labels were observed (`observed`, nanoseconds: the last flow time
-- of the batch that reported them, or the ingest time of an inventory). A report replaces the stored labels only
-- when it is newer, ties broken by the larger canonical label text, so concurrent ingesters (PostgreSQL) and
-- merged stores end with the same labels whatever order their writes commit in. Rows from before keep 0 (any
-- new report replaces them, as before). Migrations never change once shipped: add a new numbered file instead.

ALTER TABLE namespaces ADD COLUMN observed INTEGER NOT NULL DEFAULT 0;
