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
