import { dbEnv } from "./env";
import { rawPool } from "./client";
import { contextStatement } from "./context";
import { InvalidTenantIdError, isUuid } from "./context-token";
import { pipelinedTransaction } from "./pipelined-transaction";

/**
 * The second wall for agent-written SQL: it runs as agent_reader (SELECT on the agent-visible tables
 * only, subject to RLS) on its own pool, in a READ ONLY transaction whose first statement sets the
 * signed tenant context, the statement timeout and the search path, all as bind parameters
 * (db/context.ts). BEGIN READ ONLY, that statement and the agent's query are written together, in that
 * order (db/pipelined-transaction.ts): the server runs them in order, so the query never runs
 * without them, and if the context statement fails the transaction is aborted before the query.
 *
 * The agent's text goes over the extended protocol (Parse/Bind/Execute of an unnamed statement),
 * where PostgreSQL itself refuses more than one statement: `select 1; commit; delete …` cannot end
 * the transaction the way it can over the simple protocol (postgres.js sends a query without
 * parameters as a simple Query unless told otherwise, hence `simple: false`). Unnamed, because named
 * prepared statements would pile up one per distinct agent query on every pooled connection.
 *
 * Rows are fetched with a portal row limit of cap + 1 (Execute with max rows), so a query that would
 * return millions of rows stops at the cap without the server sending, or the app holding, the rest.
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

// `simple` is not in postgres.js's typings, but it is what decides the protocol (unsafe() without
// parameters defaults to simple: true); cursor() below forces the extended protocol as well.
const extendedProtocol = { simple: false, prepare: false };

function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString("hex")}`;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  return value;
}

export function agentSqlLimits(): AgentSqlLimits {
  const e = dbEnv();
  return { timeoutMs: e.AGENT_SQL_TIMEOUT_MS, rowCap: e.AGENT_SQL_ROW_CAP };
}

/** Runs SQL that passed the guard, for one tenant. PostgreSQL errors propagate (postgres.PostgresError). */
export async function runCheckedSql(
  text: CheckedSql,
  tenantId: string,
  limits: AgentSqlLimits = agentSqlLimits(),
): Promise<AgentSqlResult> {
  if (!isUuid(tenantId)) throw new InvalidTenantIdError("tenantId", tenantId);
  const start = {
    readOnly: true,
    context: contextStatement({ tenantId }, { statement_timeout: String(limits.timeoutMs), search_path: "public" }),
  };
  const pool = rawPool("agent_reader");
  return pipelinedTransaction(pool, start, async (tx) => {
    const rows: unknown[][] = [];
    let columns: ResultColumns = [];
    let truncated = false;
    const query = tx.unsafe(text, [], extendedProtocol).values();
    let batches = 0;
    const take = (batch: unknown[][]) => {
      for (const row of batch) rows.push(row.map(toJsonValue));
    };
    const done = (await query.cursor(limits.rowCap + 1, (batch) => {
      batches++;
      columns = (batch as unknown as { columns?: ResultColumns }).columns ?? columns;
      take(batch);
      if (rows.length > limits.rowCap) {
        truncated = true;
        return pool.CLOSE; // on the pool object only: a reserved connection's CLOSE is undefined
      }
    })) as unknown as unknown[][] & { columns?: ResultColumns };
    // postgres.js hands a batch to the callback only when the command tag carries a row count
    // (SELECT n); anything else arrives as the final result.
    if (batches === 0 && Array.isArray(done)) take(done.slice(0, limits.rowCap + 1));
    if (rows.length > limits.rowCap) truncated = true;
    if (columns.length === 0) columns = done.columns ?? [];
    const kept = rows.slice(0, limits.rowCap);
    return {
      columns: columns.map((c) => ({ name: c.name, type: typeNames[c.type] ?? "other" })),
      rows: kept,
      rowCount: kept.length,
      truncated,
    };
  });
}
