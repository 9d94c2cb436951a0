-- btree_gin lets one GIN index hold tenant_id next to the search document, so a tenant-scoped
-- full-text search narrows by tenant inside the index instead of matching every tenant's rows and
-- filtering afterwards. Installed into `extensions` with pgcrypto (not on the app roles' search_path;
-- index operator classes are found by type, whatever their schema).
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA extensions;
