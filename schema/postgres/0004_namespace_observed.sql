-- PostgreSQL twin of schema/0012_namespace_observed.sql: when a namespace's labels were observed; a report
-- replaces the stored labels only when newer (ties: the larger canonical text), whatever the commit order of
-- concurrent ingesters. Shipped migrations never change: add a new numbered file instead.

ALTER TABLE namespaces ADD COLUMN observed BIGINT NOT NULL DEFAULT 0;
