import { runCheckedSql, type AgentSqlResult, withTenant } from "@/db";
import { recordAudit } from "@/lib/audit-log";
import type { Caller } from "@/lib/http/caller";
import { checkAgentSql, type RefusalCode } from "./guard";

/**
 * The guarded path, the one way agent-written SQL runs (HTTP endpoint, MCP tool, ask-your-data):
 * parser and allow-lists, then agent_reader in a read-only transaction, then an audit event
 * whatever the outcome.
 */
export type AgentSqlActor = { kind: "api_key"; keyId: string } | { kind: "user"; userId: string };

/** Who runs it, as the audit row names them: the route's caller. */
export function actorOf(caller: Caller): AgentSqlActor {
  return caller.kind === "api_key" ? { kind: "api_key", keyId: caller.keyId } : { kind: "user", userId: caller.userId };
}

export type AgentSqlChannel = "sql_endpoint" | "mcp" | "ask";

export type AgentSqlErrorCode = RefusalCode | "statement_timeout" | "database_error";

export type AgentSqlOutcome =
  | { ok: true; result: AgentSqlResult }
  | { ok: false; error: { code: AgentSqlErrorCode; message: string }; stoppedBy: "parser" | "database" };

export interface AgentSqlRequest {
  tenantId: string;
  sql: string;
  actor: AgentSqlActor;
  via: AgentSqlChannel;
  /** The question, when an LLM wrote the SQL. */
  question?: string;
}

/** A PostgreSQL error the client's SQL caused (as opposed to the database being unreachable). */
interface PgError {
  code: string;
  message: string;
}

function isPostgresError(error: unknown): error is PgError {
  return (
    error instanceof Error && error.name === "PostgresError" && typeof (error as { code?: unknown }).code === "string"
  );
}

// Connection failures, shutdowns and too-many-connections are the server's problem, not the query's.
const serverSide = (code: string) => code.startsWith("08") || code.startsWith("57P") || code === "53300";

const auditedSqlLength = 4000;

export async function runAgentSql(request: AgentSqlRequest): Promise<AgentSqlOutcome> {
  const started = performance.now();
  const outcome = await guardedRun(request);
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  await withTenant(
    request.tenantId,
    (tx) =>
      recordAudit(tx, {
        tenantId: request.tenantId,
        actorUserId: request.actor.kind === "user" ? request.actor.userId : null,
        action: "agent_sql.run",
        target: request.actor.kind === "api_key" ? `api_key:${request.actor.keyId}` : `user:${request.actor.userId}`,
        metadata: {
          via: request.via,
          sql: request.sql.slice(0, auditedSqlLength),
          sqlTruncated: request.sql.length > auditedSqlLength,
          ...(request.question ? { question: request.question.slice(0, auditedSqlLength) } : {}),
          verdict: outcome.ok ? "ok" : `refused_by_${outcome.stoppedBy}`,
          ...(outcome.ok
            ? { rows: outcome.result.rowCount, truncated: outcome.result.truncated }
            : { errorCode: outcome.error.code, error: outcome.error.message.slice(0, 500) }),
          durationMs,
        },
      }),
    request.actor.kind === "user" ? { userId: request.actor.userId } : {},
  );
  return outcome;
}

async function guardedRun(request: AgentSqlRequest): Promise<AgentSqlOutcome> {
  const verdict = await checkAgentSql(request.sql);
  if (!verdict.ok) return { ok: false, error: verdict.refusal, stoppedBy: "parser" };
  try {
    return { ok: true, result: await runCheckedSql(verdict.sql, request.tenantId) };
  } catch (error) {
    if (!isPostgresError(error) || serverSide(error.code)) throw error;
    if (error.code === "57014") {
      return {
        ok: false,
        stoppedBy: "database",
        error: {
          code: "statement_timeout",
          message: `Stopped: the statement ran longer than the agent SQL timeout (${error.message}).`,
        },
      };
    }
    return {
      ok: false,
      stoppedBy: "database",
      error: {
        code: "database_error",
        message: `PostgreSQL refused the statement: ${error.message} (SQLSTATE ${error.code}).`,
      },
    };
  }
}
