-- FlowMap store, schema 3: stamps the file as FlowMap's (PRAGMA application_id 0x464C4D50, "FLMP"), so that
-- FlowMap refuses another program's SQLite database instead of adding its tables to it. Stores made before this
-- migration are recognised by their tables and stamped here. Migrations never change once shipped.
PRAGMA application_id = 1179405648;
