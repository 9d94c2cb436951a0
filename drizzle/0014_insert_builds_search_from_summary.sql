-- A new conversation's search document is its summary alone: the transcript part is not read on INSERT.
--
-- Until now the row trigger read the conversation's turns on INSERT too, and found none: a turn
-- references its conversation (a foreign key that is not deferrable), so it can be written only after
-- the conversation, and every write of turns fires conversation_turns_refresh_search (drizzle/0005),
-- which rebuilds the document from the turns once they are there. The one case where turns could be
-- written before their conversation, a data-modifying CTE that inserts both in one statement, is
-- covered the same way: the turns' statement trigger runs at the end of that statement and sees the
-- conversation. So the read returned nothing, and under RLS it cost a statement, a policy and a
-- context verification on every conversation written (npm run bench, ingest).
-- On UPDATE (a new summary, or the turns' touch `SET search = NULL`) the document is rebuilt from
-- the summary and the turns, as before.
CREATE OR REPLACE FUNCTION app_private.conversations_build_search() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.search := setweight(to_tsvector('pg_catalog.english', NEW.summary), 'A');
  IF TG_OP = 'UPDATE' THEN
    NEW.search := NEW.search || setweight(to_tsvector('pg_catalog.english', coalesce((
      SELECT string_agg(t.text, ' ' ORDER BY t.position)
      FROM public.conversation_turns t
      WHERE t.tenant_id = NEW.tenant_id AND t.conversation_id = NEW.id), '')), 'B');
  END IF;
  RETURN NEW;
END
$$;
