import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { agents, conversations, conversationTurns } from "@/db/schema";
import { databaseEngine, isUuid, type TenantTx, together } from "@/db";
import { dateRange, type ConversationFilters } from "@/features/conversations/filters";

export const pageSize = 50;

/** Keyset position: the (started_at, id) of the last row shown, opaque to the browser. */
export interface Cursor {
  startedAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.startedAt.toISOString()}|${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(raw: string): Cursor | null {
  const [iso, id] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  const startedAt = new Date(iso ?? "");
  if (!id || !isUuid(id) || Number.isNaN(startedAt.getTime())) return null;
  return { startedAt, id };
}

/** The search box: web-search syntax ("quoted phrase", or, -excluded) with English stemming. */
export const searchQuery = (q: string) => sql`websearch_to_tsquery('pg_catalog.english', ${q})`;

/** True when the words are all stop words ("the", "and"): such a query matches nothing. */
export async function isEmptySearch(tx: TenantTx, q: string): Promise<boolean> {
  const [row] = await tx.execute<{ empty: boolean }>(sql`select ${searchQuery(q)}::text = '' as empty`);
  return row?.empty ?? true;
}

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

/** One keyset page, newest first, of the conversations matching the filters. */
export async function listConversations(
  tx: TenantTx,
  tenantId: string,
  filters: ConversationFilters,
  after: Cursor | null,
  limit = pageSize,
) {
  const rows =
    filters.q && onlySearch(filters) && databaseEngine() === "postgres"
      ? await searchPage(tx, tenantId, filters.q, after, limit + 1)
      : await tx
          .select(listColumns)
          .from(conversations)
          .innerJoin(agents, agentOfConversation)
          .where(and(...filterConditions(tenantId, filters), afterCondition(after)))
          .orderBy(desc(conversations.startedAt), desc(conversations.id))
          .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? encodeCursor(last) : null };
}

export type ConversationListRow = Awaited<ReturnType<typeof listConversations>>["rows"][number];

// ts_headline marks matches with these control characters (removed from the text first), and the
// page splits on them: highlighted text is rendered by React as text, never as HTML.
export const highlightStart = "\u0002";
export const highlightStop = "\u0003";
const withoutMarkers = (column: SQL) => sql`translate(${column}, ${highlightStart + highlightStop}, '')`;
const summaryOptions = `StartSel=${highlightStart}, StopSel=${highlightStop}, HighlightAll=true`;
const transcriptOptions = `StartSel=${highlightStart}, StopSel=${highlightStop}, MaxFragments=2, MinWords=6, MaxWords=16, FragmentDelimiter=" … "`;

/** Summary and transcript excerpts with the matches of `q` marked, for the rows of one page. */
export async function searchHighlights(tx: TenantTx, tenantId: string, ids: string[], q: string) {
  if (ids.length === 0) return new Map<string, { summary: string; transcript: string }>();
  const transcript = tx
    .select({
      conversationId: conversationTurns.conversationId,
      text: sql<string>`string_agg(${conversationTurns.text}, ' ' order by ${conversationTurns.position})`.as("text"),
    })
    .from(conversationTurns)
    .where(and(eq(conversationTurns.tenantId, tenantId), inArray(conversationTurns.conversationId, ids)))
    .groupBy(conversationTurns.conversationId)
    .as("transcript");
  const query = searchQuery(q);
  const rows = await tx
    .select({
      id: conversations.id,
      summary: sql<string>`ts_headline('pg_catalog.english', ${withoutMarkers(sql`${conversations.summary}`)}, ${query}, ${summaryOptions})`,
      transcript: sql<string>`coalesce(ts_headline('pg_catalog.english', ${withoutMarkers(sql`${transcript.text}`)}, ${query}, ${transcriptOptions}), '')`,
    })
    .from(conversations)
    .leftJoin(transcript, eq(transcript.conversationId, conversations.id))
    .where(and(eq(conversations.tenantId, tenantId), inArray(conversations.id, ids)));
  return new Map(rows.map((r) => [r.id, { summary: r.summary, transcript: r.transcript }]));
}

export const detailColumns = { ...conversationColumns, agentName: agents.name };

export const turnColumns = {
  position: conversationTurns.position,
  speaker: conversationTurns.speaker,
  text: conversationTurns.text,
  offsetMs: conversationTurns.offsetMs,
};

// The conversation and its turns are asked for together (one round trip): an id that is not the
// tenant's has no turns the tenant can read either.
export async function getConversation(tx: TenantTx, tenantId: string, id: string) {
  const [[conversation], turns] = await together([
    tx
      .select(detailColumns)
      .from(conversations)
      .innerJoin(agents, agentOfConversation)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id))),
    tx
      .select(turnColumns)
      .from(conversationTurns)
      .where(and(eq(conversationTurns.tenantId, tenantId), eq(conversationTurns.conversationId, id)))
      .orderBy(asc(conversationTurns.position)),
  ]);
  if (!conversation) return null;
  return { ...conversation, turns };
}
