import type postgres from "postgres";
import { dbEnv } from "./env";
import { beforePoolsClose, rawPool } from "./client";
import { contextStatement, type ContextStatement } from "./context";
import { InvalidTenantIdError, isUuid } from "./context-token";
import { ConnectionLostError, connectionLost } from "./pipelined-transaction";
import { TenantShare } from "./tenant-share";

/**
 * The second wall for agent-written SQL: it runs as agent_reader (SELECT on the agent-visible tables
 * only, subject to RLS) on its own pool, in a READ ONLY transaction whose first statement sets the
 * signed tenant context, the statement timeout and the search path, all as bind parameters
 * (db/context.ts).
 *
 * One write, one round trip: BEGIN READ WRITE, the context, the call's audit row
 * (app.record_agent_sql_call, verdict "pending"), COMMIT; then BEGIN READ ONLY, the context with its
 * settings, the agent's statement, ROLLBACK. The server runs them in that order, so the statement never
 * runs without its context, and its answer is never read before its audit row is committed: a crash
 * of the app or of PostgreSQL at any point cannot leave an answered call without its row. The
 * outcome (verdict, rows, error, duration) is filled in after the answer, off the request path: the
 * connection goes back to the pool with the answer, and the outcomes of a tenant's calls are written
 * together (app.record_agent_sql_outcome, one transaction per batch) at most
 * AGENT_SQL_OUTCOME_DELAY_MS later. A row still "pending" is a call whose process ended before it
 * could say how the call went.
 *
 * The agent's text goes over the extended protocol (Parse/Bind/Execute of an unnamed statement),
 * where PostgreSQL itself refuses more than one statement: `select 1; commit; delete …` cannot end
 * the transaction the way it can over the simple protocol.
 *
 * Bounded in PostgreSQL, so the app never holds more than the budget: the statement is wrapped
 * (answerBounded below) so that at most cap + 1 rows are computed, and only the leading rows whose
 * running size as JSON stays within AGENT_SQL_MAX_BYTES are sent.
 *
 * Fair: one tenant may hold at most AGENT_SQL_TENANT_CONNECTIONS of the pool's connections at once
 * (db/tenant-share.ts); its further calls queue behind its own, never in front of another tenant's.
 */
/** SQL that passed the guard. Only checkAgentSql() (lib/agent-sql/guard.ts) makes one; runCheckedSql runs nothing else. */
export type CheckedSql = string & { readonly __checkedAgentSql: unique symbol };

export interface AgentSqlColumn {
  name: string;
  type: string;
}

export interface AgentSqlResult {
  columns: AgentSqlColumn[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

export interface AgentSqlLimits {
  timeoutMs: number;
  rowCap: number;
  /** The most bytes of rows (as JSON, measured by PostgreSQL) one answer holds. */
  maxBytes: number;
}

const typeNames: Record<number, string> = {
  16: "bool",
  20: "int8",
  21: "int2",
  23: "int4",
  25: "text",
  114: "json",
  700: "float4",
  701: "float8",
  1042: "bpchar",
  1043: "varchar",
  1082: "date",
  1083: "time",
  1114: "timestamp",
  1184: "timestamptz",
  1186: "interval",
  1266: "timetz",
  1700: "numeric",
  2950: "uuid",
  3802: "jsonb",
  19: "name",
  1000: "bool[]",
  1005: "int2[]",
  1007: "int4[]",
  1016: "int8[]",
  1009: "text[]",
  2951: "uuid[]",
};

type ResultColumns = { name: string; type: number }[];

/** How a statement ended, for its audit row's outcome. */
export type AgentSqlSettled = { ok: true; result: AgentSqlResult } | { ok: false; error: unknown };

/** The audit row of one call: recorded as pending in the statement's round trip, completed after. */
export interface AgentSqlAudit {
  /** The user in the context (their id is the row's actor), when a member runs the SQL. */
  userId?: string;
  target: string;
  /** What is known before the statement runs (storable JSON: see lib/text.ts). */
  call: Record<string, unknown>;
  /** The outcome merged into the row after the answer; must name a verdict other than "pending". */
  outcome: (settled: AgentSqlSettled) => Record<string, unknown>;
}

export function agentSqlLimits(): AgentSqlLimits {
  const e = dbEnv();
  return { timeoutMs: e.AGENT_SQL_TIMEOUT_MS, rowCap: e.AGENT_SQL_ROW_CAP, maxBytes: e.AGENT_SQL_MAX_BYTES };
}

const globalShare = globalThis as unknown as { __agentSqlTenantShare?: TenantShare };

/** The per-tenant share of the agent_reader pool (one per process). */
export function agentSqlTenantShare(): TenantShare {
  const e = dbEnv();
  return (globalShare.__agentSqlTenantShare ??= new TenantShare({
    perTenant: Math.min(e.AGENT_SQL_TENANT_CONNECTIONS, e.AGENT_SQL_POOL_MAX),
    maxQueued: e.AGENT_SQL_TENANT_QUEUE,
    maxWaitMs: e.AGENT_SQL_TIMEOUT_MS,
  }));
}

/**
 * The checked statement inside fixed text, so PostgreSQL bounds the answer: at most cap + 1 rows are
 * computed, each row's size as JSON is summed in order, and only the rows within the byte budget are
 * sent, each with the count of rows computed (one all-NULL row carries it when none fits). Both limits
 * come from the transaction's context statement (local settings, bind parameters there). The checked
 * text is one complete statement (the guard parsed it alone), followed by a newline that ends any line
 * comment, so it cannot close the parenthesis around it. Three columns are added at the end: the row's
 * number, the running size, the rows computed; they are removed before the answer leaves this module.
 */
const answerBounded = (checked: CheckedSql) => `with agent_sql_stream as materialized (
  select agent_sql_answer.*,
         row_number() over agent_sql_window as agent_sql_n,
         sum(octet_length(row_to_json(agent_sql_answer.*)::text)) over agent_sql_window as agent_sql_bytes
  from (select * from (
${checked}
) agent_sql_answer limit (select current_setting('app.agent_sql_rows')::bigint)) agent_sql_answer
  window agent_sql_window as (rows unbounded preceding)
)
select agent_sql_kept.*, agent_sql_seen.agent_sql_rows
from (select count(*) as agent_sql_rows from agent_sql_stream) agent_sql_seen
left join (select * from agent_sql_stream
           where agent_sql_bytes <= (select current_setting('app.agent_sql_bytes')::numeric)) agent_sql_kept on true
order by agent_sql_kept.agent_sql_n`;
const addedColumns = 3;

// `simple` is not in postgres.js's typings, but it is what decides the protocol (unsafe() without
// parameters defaults to simple: true).
const extendedProtocol = { simple: false, prepare: false };

function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString("hex")}`;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  return value;
}

function bounded(rows: unknown[][], columns: ResultColumns, limits: AgentSqlLimits): AgentSqlResult {
  const kept: unknown[][] = [];
  let computed = 0;
  for (const row of rows) {
    computed = Number(row.at(-1));
    if (row.at(-3) === null) continue; // the all-NULL row: no row fitted within the byte budget
    kept.push(row.slice(0, -addedColumns).map(toJsonValue));
  }
  const answered = kept.slice(0, limits.rowCap);
  return {
    columns: columns.slice(0, -addedColumns).map((c) => ({ name: c.name, type: typeNames[c.type] ?? "other" })),
    rows: answered,
    rowCount: answered.length,
    truncated: computed > answered.length,
  };
}

/** Outcome writes still under way (tests and shutdown wait for them). */
const finishing = new Set<Promise<void>>();

/** Writes every outcome still waiting for its batch, and waits for every outcome write under way. */
export async function agentSqlAuditsSettled(): Promise<void> {
  for (const key of [...waitingOutcomes.keys()]) writeOutcomes(key);
  while (finishing.size > 0) await Promise.all([...finishing]);
}

beforePoolsClose(agentSqlAuditsSettled);

/** One reserved connection, statements started in order and written together. */
class Pipeline {
  lost = false;
  constructor(readonly connection: postgres.ReservedSql) {}

  private started<T extends Promise<unknown> & { execute(): unknown }>(query: T): T {
    if (this.lost) throw new ConnectionLostError();
    query.catch((e: unknown) => (this.lost ||= connectionLost(e)));
    void query.execute();
    return query;
  }

  /** BEGIN/COMMIT: fixed text over the simple protocol. */
  fixed(text: "begin read only" | "begin read write" | "commit" | "rollback") {
    return this.started(this.connection.unsafe(text));
  }

  /** Parameters as postgres.js serializes them for the types the server describes (jsonb: an object). */
  statement(text: string, params: unknown[]) {
    return this.started(this.connection.unsafe(text, params as postgres.ParameterOrJSON<never>[], extendedProtocol));
  }

  values(text: string): Promise<unknown[][] & { columns: ResultColumns }> {
    return this.started(this.connection.unsafe(text, [], extendedProtocol).values());
  }

  /** A read-write transaction with the context, around one statement; its COMMIT's answer. */
  auditTransaction(context: ContextStatement, text: string, params: unknown[]) {
    const begin = this.fixed("begin read write");
    const ctx = this.statement(context.text, context.params());
    const statement = this.statement(text, params);
    const commit = this.fixed("commit");
    const all = Promise.all([begin, ctx, statement, commit]).then(([, , rows, done]) => {
      if (done.command !== "COMMIT") throw new Error("The audit transaction was rolled back.");
      return rows;
    });
    all.catch(() => undefined); // awaited by the caller
    return all;
  }

  release(): void {
    // A lost connection stays out of the pool (postgres.js reconnects on demand).
    if (!this.lost) this.connection.release();
  }
}

const recordCall = "select app.record_agent_sql_call($1, $2) as id";
const recordOutcomes =
  "select app.record_agent_sql_outcome(o.id, o.outcome) as done from jsonb_to_recordset($1::jsonb -> 'outcomes') as o(id bigint, outcome jsonb)";

/**
 * How many outcomes one write takes at most; they wait AGENT_SQL_OUTCOME_DELAY_MS for each other. One
 * write per call, right after its answer, was a second transaction per call on the agent pool and took
 * CPU from the calls that followed it.
 */
const OUTCOMES_PER_WRITE = 100;

interface WaitingOutcomes {
  context: ContextStatement;
  outcomes: { id: string; outcome: Record<string, unknown> }[];
  timer: NodeJS.Timeout;
}

/** Per context (tenant and user): outcomes are written under the context of the calls they complete. */
const waitingOutcomes = new Map<string, WaitingOutcomes>();

function queueOutcome(context: ContextStatement, id: string, outcome: Record<string, unknown>): void {
  const key = `${context.tenantId}/${context.userId ?? ""}`;
  let waiting = waitingOutcomes.get(key);
  if (!waiting) {
    const delayMs = dbEnv().AGENT_SQL_OUTCOME_DELAY_MS;
    waiting = { context, outcomes: [], timer: setTimeout(() => writeOutcomes(key), delayMs) };
    waitingOutcomes.set(key, waiting);
  }
  waiting.outcomes.push({ id, outcome });
  if (waiting.outcomes.length >= OUTCOMES_PER_WRITE) writeOutcomes(key);
}

/** A batch's outcomes in one read-write transaction. */
function writeOutcomes(key: string): void {
  const waiting = waitingOutcomes.get(key);
  if (!waiting) return;
  waitingOutcomes.delete(key);
  clearTimeout(waiting.timer);
  const { context, outcomes } = waiting;
  const write = auditOnFreshConnection(context, recordOutcomes, [{ outcomes }])
    .catch((error: unknown) => {
      // Still "pending" in the audit log: the rows say the calls happened, not how they ended.
      const ids = outcomes.map((o) => o.id).join(", ");
      console.error("agent SQL: could not record the outcomes of audit events", ids, error);
    })
    .finally(() => finishing.delete(write));
  finishing.add(write);
}

/**
 * Runs SQL that passed the guard, for one tenant. PostgreSQL errors propagate (postgres.PostgresError);
 * TenantBusyError when the tenant's share of the pool and its queue are full (nothing ran). With
 * audit, the call's row is committed before the answer is read (see the top of this file).
 */
export async function runCheckedSql(
  text: CheckedSql,
  tenantId: string,
  given: Partial<AgentSqlLimits> = {},
  audit?: AgentSqlAudit,
): Promise<AgentSqlResult> {
  if (!isUuid(tenantId)) throw new InvalidTenantIdError("tenantId", tenantId);
  const limits = { ...agentSqlLimits(), ...given };
  const context = contextStatement(
    { tenantId },
    {
      statement_timeout: String(limits.timeoutMs),
      search_path: "public",
      "app.agent_sql_rows": String(limits.rowCap + 1),
      "app.agent_sql_bytes": String(limits.maxBytes),
    },
  );
  const auditContext = audit ? contextStatement({ tenantId, userId: audit.userId }) : undefined;
  const releaseShare = await agentSqlTenantShare().acquire(tenantId);
  let pipeline: Pipeline | undefined;
  let settled: AgentSqlSettled | undefined;
  let recorded: Promise<postgres.RowList<postgres.Row[]>> | undefined;
  try {
    pipeline = new Pipeline(await rawPool("agent_reader").reserve());
    if (audit && auditContext) {
      recorded = pipeline.auditTransaction(auditContext, recordCall, [
        audit.target,
        { ...audit.call, verdict: "pending" },
      ]);
    }
    const begin = pipeline.fixed("begin read only");
    const ctx = pipeline.statement(context.text, context.params());
    const answer = pipeline.values(answerBounded(text));
    // ROLLBACK, not COMMIT: a read-only transaction has nothing to keep, and a rollback also undoes a
    // session-wide setting the statement may have made (set_config(…, false) outlives a COMMIT on
    // this pooled connection, into the next tenant's call).
    const end = pipeline.fixed("rollback");
    const opened = Promise.all([begin, ctx]);
    opened.catch(() => undefined);
    end.catch(() => undefined);
    try {
      const rows = await answer;
      await opened;
      await end;
      settled = { ok: true, result: bounded(rows, rows.columns, limits) };
    } catch (error) {
      // A failed context statement aborts the transaction before the query: report the cause.
      const cause = await opened.then(
        () => error,
        (e: unknown) => e,
      );
      await end.catch(() => undefined);
      settled = {
        ok: false,
        error: pipeline.lost && !(cause instanceof ConnectionLostError) ? new ConnectionLostError(false, cause) : cause,
      };
    }
    if (recorded) await recorded; // answered only once the call's audit row is committed
  } catch (error) {
    // The pipeline could not start, or its audit row was not confirmed: write the whole row another
    // way before answering (the answer, if any, is not returned without it).
    settled ??= { ok: false, error };
    const finished = settled;
    pipeline?.release();
    releaseShare();
    if (audit && auditContext) await recordWholeCall(auditContext, audit, finished);
    if (!finished.ok) throw finished.error;
    return finished.result;
  }
  pipeline.release();
  releaseShare();
  const { id } = ((await recorded)?.[0] ?? {}) as { id?: string };
  if (audit && auditContext && id !== undefined) queueOutcome(auditContext, id, audit.outcome(settled));
  if (!settled.ok) throw settled.error;
  return settled.result;
}

/** The call and its outcome in one row, when the pipelined record did not happen. */
async function recordWholeCall(context: ContextStatement, audit: AgentSqlAudit, settled: AgentSqlSettled) {
  const metadata = { ...audit.call, ...audit.outcome(settled) };
  await auditOnFreshConnection(context, recordCall, [audit.target, metadata]);
}

/** An audit transaction on a connection of its own, retried on fresh ones (a connection may be gone). */
function auditOnFreshConnection(context: ContextStatement, text: string, params: unknown[]): Promise<void> {
  return withRetries(async () => {
    const pipeline = new Pipeline(await rawPool("agent_reader").reserve());
    try {
      await pipeline.auditTransaction(context, text, params);
    } finally {
      pipeline.release();
    }
  });
}

async function withRetries(write: () => Promise<void>, attempts = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** attempt));
    }
  }
}
