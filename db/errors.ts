/**
 * PostgreSQL errors as the app needs to tell them apart: drizzle wraps the driver's error
 * ("Failed query: …", cause: the PostgreSQL error), so the SQLSTATE is looked up along the cause chain.
 */
export interface DatabaseErrorInfo {
  code: string;
  constraint?: string;
  message: string;
}

export function databaseError(error: unknown): DatabaseErrorInfo | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const candidate = e as Error & { code?: unknown; constraint_name?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        constraint: typeof candidate.constraint_name === "string" ? candidate.constraint_name : undefined,
        message: candidate.message,
      };
    }
  }
  return null;
}

export const sqlState = {
  uniqueViolation: "23505",
  checkViolation: "23514",
  invalidParameterValue: "22023",
  noDataFound: "P0002",
} as const;

/** The last owner of a workspace cannot leave, be removed or be demoted (trigger memberships_last_owner). */
export function isLastOwnerError(error: unknown): boolean {
  const info = databaseError(error);
  return info?.code === sqlState.checkViolation && info.constraint === "memberships_last_owner";
}

/**
 * Errors that mean "the database cannot serve this now", not "this request is wrong": the server is
 * down, restarting or refusing connections (directly or behind PgBouncer), the connection broke, the
 * pool had no free connection in time, or the statement timeout cancelled a query. The app answers
 * them with 503 and Retry-After (lib/http/json.ts) or the error page's "try again" (never a hang).
 */
const unavailableDriverCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
]);
const unavailableSqlStates = new Set([
  "57P01", // admin_shutdown: the server is stopping (fast or immediate shutdown)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, shutting down, recovering
  "53300", // too_many_connections
  "57014", // query_canceled: statement_timeout (DB_STATEMENT_TIMEOUT_MS)
]);
const unavailableErrorNames = new Set(["ConnectionLostError", "PoolTimeoutError", "DatabaseUnavailableError"]);

function isUnavailableCause(error: Error): boolean {
  const { code } = error as { code?: unknown };
  if (unavailableErrorNames.has(error.name)) return true;
  if (typeof code !== "string") return false;
  // Class 08 is every connection exception, and what PgBouncer reports when it cannot reach the server.
  return unavailableDriverCodes.has(code) || unavailableSqlStates.has(code) || code.startsWith("08");
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (isUnavailableCause(e)) return true;
    // Node reports a refused connection to every address of a host as one AggregateError.
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}

/** The digest the error page recognises (Next.js sends a thrown error's own digest to the browser). */
export const databaseUnavailableDigest = "DATABASE_UNAVAILABLE";

export class DatabaseUnavailableError extends Error {
  readonly digest = databaseUnavailableDigest;
  constructor(cause: unknown) {
    super("The database is unavailable or did not answer in time; try again shortly.", { cause });
    this.name = "DatabaseUnavailableError";
  }
}

/** The error as the app should see it: a DatabaseUnavailableError when it is one of the above. */
export function asDatabaseUnavailable(error: unknown): Error {
  if (error instanceof DatabaseUnavailableError) return error;
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError(error);
  return error instanceof Error ? error : new Error(String(error));
}
