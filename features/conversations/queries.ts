import { and, asc, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { agents, conversations, conversationTurns } from "@/db/schema";
import { databaseEngine, lastly, type TenantTx } from "@/db";
import { dateRange, type ConversationFilters } from "@/features/conversations/filters";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/lib/validation";
import { highlightStart, highlightStop } from "@/lib/highlight";

export const pageSize = 50;

/** Keyset position: the (started_at, id) of the last row shown, opaque to the browser. */
export interface Cursor {
  startedAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return encodeKeysetCursor({ at: c.startedAt, id: c.id });
}

/** Null for a cursor this app would not have issued (lib/validation.ts: a year out of range, an id not a UUID). */
export function decodeCursor(raw: string): Cursor | null {
  const decoded = decodeKeysetCursor(raw);
  return decoded && { startedAt: decoded.at, id: decoded.id };
}

/** The search box: web-search syntax ("quoted phrase", or, -excluded) with English stemming. */
export const searchQuery = (q: string) => sql`websearch_to_tsquery('pg_catalog.english', ${q})`;

/** Whether the words are all stop words ("the", "and"): such a query matches nothing. Unawaited. */
export function emptySearchQuery(tx: TenantTx, q: string) {
  return tx.execute<{ empty: boolean }>(sql`select ${searchQuery(q)}::text = '' as empty`);
}

export const isEmptySearch = (rows: { empty: boolean }[]) => rows[0]?.empty ?? true;

const wholeText = `StartSel=${highlightStart}, StopSel=${highlightStop}, HighlightAll=true`;

/**
 * `text` with the matches of `q` marked: for what is shown only (a page's summaries, one conversation's
 * turns), evaluated after the page's LIMIT, never over rows that are not shown.
 */
export const highlighted = (text: SQL, q: string) =>
  sql<string>`ts_headline('pg_catalog.english', translate(${text}, ${highlightStart + highlightStop}, ''), ${searchQuery(q)}, ${wholeText})`;

/**
 * Conditions for a filter. The explicit tenant_id is there as well as RLS: the planner gets a
 * constant, and a sharded deployment can route by it. The text match goes through
 * app.matching_conversation_ids (drizzle/0005): under RLS the `@@` operator cannot be an index
 * condition, the function's lookup can; RLS on this query still decides which rows come back.
 * A search with no other filter does not come here on single-node PostgreSQL: see searchPage.
 */
function filterConditions(tenantId: string, filters: ConversationFilters): SQL[] {
  const { since, before } = dateRange(filters);
  const conditions: (SQL | undefined)[] = [
    eq(conversations.tenantId, tenantId),
    filters.agent ? eq(conversations.agentId, filters.agent) : undefined,
    filters.channel ? eq(conversations.channel, filters.channel) : undefined,
    filters.status ? eq(conversations.status, filters.status) : undefined,
    since ? gte(conversations.startedAt, since) : undefined,
    before ? lt(conversations.startedAt, before) : undefined,
    filters.q ? textMatch(filters.q) : undefined,
  ];
  return conditions.filter((c): c is SQL => c !== undefined);
}

/**
 * On Citus the text match is the plain `@@` (under RLS on the tenant's shard): a definer function that
 * reads conversations cannot run inside a query Citus pushes down to the shards ("cannot execute a
 * distributed query from a query on a shard"). docs/scale-out.md.
 */
function textMatch(q: string): SQL {
  return databaseEngine() === "citus"
    ? sql`${conversations.search} @@ ${searchQuery(q)}`
    : sql`${conversations.id} in (select m.id from app.matching_conversation_ids(${searchQuery(q)}) as m(id))`;
}

const onlySearch = (f: ConversationFilters) => !f.agent && !f.channel && !f.status && !f.from && !f.to;

type PageReader = Pick<TenantTx, "select">;

/**
 * A search with no other filter on single-node PostgreSQL (Citus refuses the function's correlated
 * subquery, and runs the ordinary list query instead): one keyset page, newest first, read by app.conversation_search_page
 * (drizzle/0013), which stops as soon as the page is full and returns the list's columns itself, so
 * the planner never has to guess how a tenant's conversations join its agents. `tenantId` is the
 * explicit filter the list always carries (undefined leaves the tenant to the verified context alone).
 */
export function searchPage(
  db: PageReader,
  tenantId: string | undefined,
  q: string,
  after: Cursor | null,
  limit: number,
) {
  const page = sql`app.conversation_search_page(${searchQuery(q)}, ${after?.startedAt.toISOString() ?? null}::timestamptz, ${after?.id ?? null}::uuid, ${limit}::int) as p`;
  return db
    .select({
      id: sql<string>`p.id`,
      startedAt: sql`p.started_at`.mapWith(conversations.startedAt),
      durationSeconds: sql`p.duration_seconds`.mapWith(conversations.durationSeconds),
      channel: sql`p.channel`.mapWith(conversations.channel),
      caller: sql`p.caller`.mapWith(conversations.caller),
      status: sql`p.status`.mapWith(conversations.status),
      summary: sql`p.summary`.mapWith(conversations.summary),
      agentId: sql`p.agent_id`.mapWith(conversations.agentId),
      agentName: sql`p.agent_name`.mapWith(agents.name),
      headline: highlighted(sql`p.summary`, q),
    })
    .from(page)
    .where(tenantId === undefined ? undefined : sql`p.tenant_id = ${tenantId}`)
    .orderBy(sql`p.started_at desc`, sql`p.id desc`);
}

function afterCondition(after: Cursor | null): SQL | undefined {
  if (!after) return undefined;
  return or(
    lt(conversations.startedAt, after.startedAt),
    and(eq(conversations.startedAt, after.startedAt), lt(conversations.id, after.id)),
  );
}

/** A conversation's agent, through the tenant-scoped foreign key. */
export const agentOfConversation = and(
  eq(agents.tenantId, conversations.tenantId),
  eq(agents.id, conversations.agentId),
);

/** What the list and the detail page both show of a conversation. */
const conversationColumns = {
  id: conversations.id,
  startedAt: conversations.startedAt,
  durationSeconds: conversations.durationSeconds,
  channel: conversations.channel,
  caller: conversations.caller,
  status: conversations.status,
  summary: conversations.summary,
};

export const listColumns = { ...conversationColumns, agentId: conversations.agentId, agentName: agents.name };

/**
 * The query of one keyset page, newest first, of the conversations matching the filters: a row more
 * than `limit` (is there a next page?), unawaited so it can go with the page's other statements.
 * A search also returns each summary with its matches marked (`headline`; null without a search).
 */
export function conversationPageQuery(
  tx: TenantTx,
  tenantId: string,
  filters: ConversationFilters,
  after: Cursor | null,
  limit = pageSize,
) {
  // On Citus the search functions cannot run in a query pushed down to the shards: the plain text match
  // under RLS there (docs/scale-out.md).
  if (filters.q && onlySearch(filters) && databaseEngine() === "postgres")
    return searchPage(tx, tenantId, filters.q, after, limit + 1);
  return tx
    .select({
      ...listColumns,
      headline: filters.q ? highlighted(sql`${conversations.summary}`, filters.q) : sql<string | null>`null::text`,
    })
    .from(conversations)
    .innerJoin(agents, agentOfConversation)
    .where(and(...filterConditions(tenantId, filters), afterCondition(after)))
    .orderBy(desc(conversations.startedAt), desc(conversations.id))
    .limit(limit + 1);
}

/** The rows of conversationPageQuery -> the page shown and the cursor of the next one. */
export function toPage<R extends Cursor>(rows: R[], limit = pageSize) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? encodeCursor(last) : null };
}

/** One keyset page, newest first, of the conversations matching the filters. */
export async function listConversations(
  tx: TenantTx,
  tenantId: string,
  filters: ConversationFilters,
  after: Cursor | null,
  limit = pageSize,
) {
  return toPage(await conversationPageQuery(tx, tenantId, filters, after, limit), limit);
}

export type ConversationListRow = Awaited<ReturnType<typeof listConversations>>["rows"][number];

export const detailColumns = { ...conversationColumns, agentName: agents.name };

export const turnColumns = {
  position: conversationTurns.position,
  speaker: conversationTurns.speaker,
  text: conversationTurns.text,
  offsetMs: conversationTurns.offsetMs,
};

// The conversation and its turns are asked for together, the transaction's last statements (one round
// trip with COMMIT): an id that is not the tenant's has no turns the tenant can read either. With a
// search (`q`, from a result of the list), the turns come with their matches marked: the transcript's
// highlights are made here, for one conversation, on demand, not for every row of the list.
export async function getConversation(tx: TenantTx, tenantId: string, id: string, q?: string) {
  const [[conversation], turns] = await lastly(tx, [
    tx
      .select(detailColumns)
      .from(conversations)
      .innerJoin(agents, agentOfConversation)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id))),
    tx
      .select({ ...turnColumns, text: q ? highlighted(sql`${conversationTurns.text}`, q) : conversationTurns.text })
      .from(conversationTurns)
      .where(and(eq(conversationTurns.tenantId, tenantId), eq(conversationTurns.conversationId, id)))
      .orderBy(asc(conversationTurns.position)),
  ]);
  if (!conversation) return null;
  return { ...conversation, turns };
}
