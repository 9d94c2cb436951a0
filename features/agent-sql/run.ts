import { runCheckedSql, TenantBusyError, type AgentSqlAudit, type AgentSqlResult, withTenant } from "@/db";
import { recordAudit } from "@/lib/audit-log";
import { auditableText } from "@/lib/text";
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

export type AgentSqlErrorCode = RefusalCode | "statement_timeout" | "database_error" | "busy";

export type AgentSqlOutcome =
  | { ok: true; result: AgentSqlResult }
  | {
      ok: false;
      error: { code: AgentSqlErrorCode; message: string; retryAfterSeconds?: number };
      stoppedBy: "parser" | "database";
    };

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

/** What the audit row records of the call before it runs: storable whatever the text was. */
function callRecord(request: AgentSqlRequest): Record<string, unknown> {
  const sql = auditableText(request.sql, auditedSqlLength);
  const question = request.question === undefined ? undefined : auditableText(request.question, auditedSqlLength);
  return {
    via: request.via,
    sql: sql.text,
    sqlTruncated: sql.truncated,
    ...(sql.altered ? { sqlAltered: true } : {}),
    sqlLength: request.sql.length,
    ...(question ? { question: question.text } : {}),
  };
}

function outcomeRecord(outcome: AgentSqlOutcome, durationMs: number): Record<string, unknown> {
  return {
    verdict: outcome.ok ? "ok" : `refused_by_${outcome.stoppedBy}`,
    ...(outcome.ok
      ? { rows: outcome.result.rowCount, truncated: outcome.result.truncated }
      : { errorCode: outcome.error.code, error: auditableText(outcome.error.message, 500).text }),
    durationMs: Math.round(durationMs * 10) / 10,
  };
}

const auditTarget = (actor: AgentSqlActor) =>
  actor.kind === "api_key" ? `api_key:${actor.keyId}` : `user:${actor.userId}`;

/**
 * Every call leaves one audit row, refused or not, whatever its text. A statement that reaches the
 * database has its row written in the statement's own round trip and its outcome filled in after the
 * answer (db/agent-sql.ts); a call refused before the database has its whole row written here.
 */
export async function runAgentSql(request: AgentSqlRequest): Promise<AgentSqlOutcome> {
  const started = performance.now();
  const verdict = await checkAgentSql(request.sql);
  const refused = (outcome: AgentSqlOutcome & { ok: false }) => recordRefusal(request, outcome, started);
  if (!verdict.ok) return refused({ ok: false, error: verdict.refusal, stoppedBy: "parser" });
  const audit: AgentSqlAudit = {
    ...(request.actor.kind === "user" ? { userId: request.actor.userId } : {}),
    target: auditTarget(request.actor),
    call: callRecord(request),
    outcome: (settled) => {
      const durationMs = performance.now() - started;
      if (settled.ok) return outcomeRecord({ ok: true, result: settled.result }, durationMs);
      const outcome = databaseRefusal(settled.error);
      return outcome
        ? outcomeRecord(outcome, durationMs)
        : { verdict: "failed", errorCode: "server_error", durationMs: Math.round(durationMs * 10) / 10 };
    },
  };
  try {
    return { ok: true, result: await runCheckedSql(verdict.sql, request.tenantId, {}, audit) };
  } catch (error) {
    if (error instanceof TenantBusyError) {
      return refused({
        ok: false,
        stoppedBy: "database",
        error: { code: "busy", message: error.message, retryAfterSeconds: error.retryAfterSeconds },
      });
    }
    const outcome = databaseRefusal(error);
    if (!outcome) throw error;
    return outcome;
  }
}

async function recordRefusal(
  request: AgentSqlRequest,
  outcome: AgentSqlOutcome & { ok: false },
  started: number,
): Promise<AgentSqlOutcome> {
  await withTenant(
    request.tenantId,
    (tx) =>
      recordAudit(tx, {
        tenantId: request.tenantId,
        actorUserId: request.actor.kind === "user" ? request.actor.userId : null,
        action: "agent_sql.run",
        target: auditTarget(request.actor),
        metadata: { ...callRecord(request), ...outcomeRecord(outcome, performance.now() - started) },
      }),
    request.actor.kind === "user" ? { userId: request.actor.userId } : {},
  );
  return outcome;
}

/** The statement's own fault, as a refusal; undefined for the server's (connection lost, shutdown). */
function databaseRefusal(error: unknown): (AgentSqlOutcome & { ok: false }) | undefined {
  if (!isPostgresError(error) || serverSide(error.code)) return undefined;
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
