import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { agents, conversations, conversationTurns } from "@/db/schema";
import type { TenantTx } from "@/db/tenant";
import { together } from "@/db/together";
import {
  agentOfConversation,
  detailColumns,
  listColumns,
  pageSize,
  searchPage,
  searchQuery,
  turnColumns,
} from "@/features/conversations/queries";
import { overviewDays } from "@/features/overview/figures";
import { absentSearchTerm, type QueryParams } from "./workload";

/**
 * The benchmark's queries, written as the app runs them (lib/conversations.ts, lib/overview.ts,
 * lib/ingest/conversations.ts) and built for every side:
 * - `scope.tenant`: the explicit `tenant_id = $1` the app always adds, or undefined to leave the
 *   tenant to RLS alone (the "withTenant" variant: the app's query minus that filter);
 * - `scope.rls`: whether the query runs under RLS with a verified context. Only search differs by it:
 *   under RLS the app reads the page through app.conversation_search_page() (drizzle/0013: `@@` is not
 *   LEAKPROOF, so under RLS it cannot be an index condition); the BYPASSRLS app-filter role has no
 *   verified context (the function would return nothing), so its search is the plain
 *   `tenant_id = $1 and search @@ q` on the list query.
 * The same builders give the statements whose plans are printed. Left out, as they are the same on
 * every side: the pages' other statements (the list page's agent options; the search page's
 * stop-word check and highlights): the HTTP phase measures the pages whole.
 */
export type Executor = Pick<TenantTx, "select" | "insert" | "execute">;

export interface Scope {
  tenant: string | undefined;
  rls: boolean;
  /** No transaction (the app filter's own variant): statements that depend on each other are awaited one by one. */
  sequential?: boolean;
}

export const queryNames = ["list", "count", "search", "search-absent", "detail", "insert", "overview"] as const;
/** The six measured queries; search-absent is the search that finds nothing, reported beside them. */
export const mainQueryNames: QueryName[] = ["list", "count", "search", "detail", "insert", "overview"];
export type QueryName = (typeof queryNames)[number];

export interface BenchQuery {
  name: QueryName;
  label: string;
  /** The statements, in order, for EXPLAIN (the insert's read-back is left out: it is the detail query's). */
  statements(db: Executor, scope: Scope, p: QueryParams): SQLWrapper[];
  run(db: Executor, scope: Scope, p: QueryParams): Promise<unknown>;
}

/** Rows inserted by the benchmark carry this caller, so each run can remove them again. */
export const benchInsertCaller = "bench-insert";

type TenantColumn = typeof conversations.tenantId | typeof conversationTurns.tenantId | typeof agents.tenantId;
const tenantIs = (column: TenantColumn, scope: Scope): SQL | undefined =>
  scope.tenant === undefined ? undefined : eq(column, scope.tenant);

/** listConversations: the first keyset page, newest first; `match` is the search condition, if any. */
function listPage(db: Executor, scope: Scope, match?: SQL) {
  return db
    .select(listColumns)
    .from(conversations)
    .innerJoin(agents, agentOfConversation)
    .where(and(tenantIs(conversations.tenantId, scope), match))
    .orderBy(desc(conversations.startedAt), desc(conversations.id))
    .limit(pageSize + 1);
}

/** The search page: under RLS the app's (lib/conversations.ts searchPage); BYPASSRLS: the plain match. */
function searchList(db: Executor, scope: Scope, term: string) {
  return scope.rls
    ? searchPage(db, scope.tenant, term, null, pageSize + 1)
    : listPage(db, scope, sql`${conversations.search} @@ ${searchQuery(term)}`);
}

function countAll(db: Executor, scope: Scope) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(tenantIs(conversations.tenantId, scope));
}

// getConversation (lib/conversations.ts): the conversation and its turns, sent together.
function detailConversation(db: Executor, scope: Scope, id: string) {
  return db
    .select(detailColumns)
    .from(conversations)
    .innerJoin(agents, agentOfConversation)
    .where(and(tenantIs(conversations.tenantId, scope), eq(conversations.id, id)));
}

function detailTurns(db: Executor, scope: Scope, id: string) {
  return db
    .select(turnColumns)
    .from(conversationTurns)
    .where(and(tenantIs(conversationTurns.tenantId, scope), eq(conversationTurns.conversationId, id)))
    .orderBy(asc(conversationTurns.position));
}

async function detail(db: Executor, scope: Scope, p: QueryParams) {
  const [[conversation], turns] = await together([
    detailConversation(db, scope, p.conversationId),
    detailTurns(db, scope, p.conversationId),
  ]);
  if (!conversation) throw new Error(`conversation ${p.conversationId} not found in tenant ${p.tenantId}`);
  return { ...conversation, turns };
}

const turnTexts = ["Thanks for calling, how can I help?", "What are your opening hours on Saturday?"];

function insertConversation(db: Executor, p: QueryParams, id: string) {
  return db.insert(conversations).values({
    tenantId: p.tenantId,
    id,
    agentId: p.agentId,
    channel: "voice",
    caller: benchInsertCaller,
    status: "completed",
    startedAt: new Date(),
    durationSeconds: 42,
    summary: "Caller asked about opening hours; the agent answered.",
  });
}

function insertTurns(db: Executor, p: QueryParams, conversationId: string) {
  return db.insert(conversationTurns).values(
    Array.from({ length: 6 }, (_, position) => ({
      tenantId: p.tenantId,
      conversationId,
      position,
      speaker: position % 2 === 0 ? ("agent" as const) : ("caller" as const),
      text: turnTexts[position % 2]!,
      offsetMs: position * 2500,
    })),
  );
}

/**
 * The ingest API's createConversation (lib/ingest/conversations.ts, agent given by id): the id drawn
 * in Node, then the conversation, its turns (the search trigger rebuilds the document) and the
 * read-back sent together, in that order. The tenant is a value of the new rows on every side; only
 * the read-back has a filter to leave out. The app-filter variant without a transaction cannot rely
 * on order across the pool's connections: it awaits each statement in turn.
 */
async function ingest(db: Executor, scope: Scope, p: QueryParams) {
  const id = randomUUID();
  const readBack = { ...p, conversationId: id };
  if (scope.sequential) {
    await insertConversation(db, p, id);
    await insertTurns(db, p, id);
    return detail(db, scope, readBack);
  }
  const [, , created] = await together([
    insertConversation(db, p, id).then(() => undefined),
    insertTurns(db, p, id).then(() => undefined),
    detail(db, scope, readBack),
  ]);
  return created;
}

// lib/overview.ts: the same three statements, sent together, the explicit tenant filter optional.
const windowStart = sql`(((now() at time zone 'UTC')::date - ${overviewDays - 1}::int)::timestamp at time zone 'UTC')`;
const andTenant = (column: SQL, scope: Scope) =>
  scope.tenant === undefined ? sql`` : sql` and ${column} = ${scope.tenant}`;

function overviewStatements(scope: Scope): SQL[] {
  return [
    sql`
    with days as (
      select d::date as day
      from generate_series((now() at time zone 'UTC')::date - ${overviewDays - 1}::int, (now() at time zone 'UTC')::date, interval '1 day') as d
    ), daily as (
      select (c.started_at at time zone 'UTC')::date as day, c.agent_id, count(*)::int as n
      from conversations c
      where c.started_at >= ${windowStart}${andTenant(sql`c.tenant_id`, scope)}
      group by 1, 2
    )
    select to_char(d.day, 'YYYY-MM-DD') as "day", a.id as "agentId", a.name as "agentName", coalesce(daily.n, 0) as "conversations"
    from days d
    cross join agents a
    left join daily on daily.day = d.day and daily.agent_id = a.id
    where a.id in (select agent_id from daily)${andTenant(sql`a.tenant_id`, scope)}
    order by d.day, a.name`,
    sql`
    select a.id as "agentId", a.name as "agentName", count(*)::int as "conversations",
           round(avg(c.duration_seconds))::int as "averageSeconds"
    from conversations c
    join agents a on a.tenant_id = c.tenant_id and a.id = c.agent_id
    where c.started_at >= ${windowStart}${andTenant(sql`c.tenant_id`, scope)}
    group by grouping sets ((a.id, a.name), ())
    order by a.name nulls first`,
    sql`
    select c.status::text as "status", count(*)::int as "conversations"
    from conversations c
    where c.started_at >= ${windowStart}${andTenant(sql`c.tenant_id`, scope)}
    group by c.status
    order by c.status`,
  ];
}

function overview(db: Executor, scope: Scope) {
  return together(overviewStatements(scope).map((statement) => db.execute(statement)));
}

export const benchQueries: Record<QueryName, BenchQuery> = {
  list: {
    name: "list",
    label: "list page (newest 50, keyset)",
    statements: (db, scope) => [listPage(db, scope)],
    run: (db, scope) => listPage(db, scope),
  },
  count: {
    name: "count",
    label: "count per tenant",
    statements: (db, scope) => [countAll(db, scope)],
    run: (db, scope) => countAll(db, scope),
  },
  search: {
    name: "search",
    label: "full-text search (newest 50)",
    statements: (db, scope, p) => [searchList(db, scope, p.searchTerm)],
    run: (db, scope, p) => searchList(db, scope, p.searchTerm),
  },
  "search-absent": {
    name: "search-absent",
    label: "full-text search, no match",
    statements: (db, scope) => [searchList(db, scope, absentSearchTerm)],
    run: (db, scope) => searchList(db, scope, absentSearchTerm),
  },
  detail: {
    name: "detail",
    label: "detail (conversation + turns)",
    statements: (db, scope, p) => [
      detailConversation(db, scope, p.conversationId),
      detailTurns(db, scope, p.conversationId),
    ],
    run: detail,
  },
  insert: {
    name: "insert",
    label: "ingest conversation + 6 turns",
    statements: (db, _scope, p) => {
      const id = randomUUID();
      return [insertConversation(db, p, id), insertTurns(db, p, id)];
    },
    run: ingest,
  },
  overview: {
    name: "overview",
    label: "overview aggregates (30 days)",
    statements: (_db, scope) => overviewStatements(scope),
    run: (db, scope) => overview(db, scope),
  },
};
