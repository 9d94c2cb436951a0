import type { z } from "zod";
import { isDatabaseUnavailable } from "@/db";
import { jsonDepthExceeds } from "@/lib/validation";
import { readBodyText } from "./body";

/** Every API error has one shape: {"error": {"code", "message", ...details}}. */
export function jsonError(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  headers: HeadersInit = {},
): Response {
  return Response.json({ error: { code, message, ...details } }, { status, headers });
}

/** How deeply a JSON body may nest arrays and objects (no API body here needs more than 4). */
export const maxJsonDepth = 32;

/**
 * Reads (lib/http/body.ts: bounded while it streams) and validates a JSON body; a bad one is a 4xx
 * naming each invalid field, never a 500.
 */
export async function readJsonBody<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  const body = await readBodyText(request);
  if (!body.ok) return { ok: false, response: jsonError(body.status, body.code, body.message) };
  let raw: unknown;
  try {
    raw = JSON.parse(body.text);
  } catch {
    return { ok: false, response: jsonError(400, "invalid_json", "The body is not valid JSON.") };
  }
  if (jsonDepthExceeds(raw, maxJsonDepth)) {
    return {
      ok: false,
      response: jsonError(400, "invalid_json", `The body nests arrays and objects deeper than ${maxJsonDepth} levels.`),
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".") || "(body)";
      (fields[path] ??= []).push(issue.message);
    }
    return {
      ok: false,
      response: jsonError(400, "invalid_body", "The body failed validation; see fields.", { fields }),
    };
  }
  return { ok: true, data: parsed.data };
}

/** Reads and validates an optional header; a bad one is a 400 naming the header. Absent: undefined. */
export function readHeader<T extends z.ZodType>(
  request: Request,
  name: string,
  schema: T,
): { ok: true; value: z.infer<T> | undefined } | { ok: false; response: Response } {
  const raw = request.headers.get(name);
  if (raw === null) return { ok: true, value: undefined };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    response: jsonError(400, "invalid_header", `The ${name} header failed validation; see fields.`, {
      fields: { [name]: parsed.error.issues.map((i) => i.message) },
    }),
  };
}

/** Seconds a client is asked to wait before retrying when the database cannot serve it. */
export const unavailableRetryAfterSeconds = 2;

/** The one answer for a database that cannot serve the request now (db/errors.ts): 503 with Retry-After. */
export function databaseUnavailableJson(): Response {
  const retry = unavailableRetryAfterSeconds;
  return jsonError(
    503,
    "database_unavailable",
    `The database is unavailable or busy; retry in ${retry} s.`,
    { retryAfterSeconds: retry },
    { "Retry-After": String(retry) },
  );
}

/** The error's chain by name and code only: Drizzle's message repeats the SQL and its parameters. */
function unavailableCause(error: unknown): string {
  const links: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { code } = e as { code?: unknown };
    links.push(typeof code === "string" ? `${e.name} ${code}` : e.name);
  }
  return links.join(" <- ");
}

/**
 * Every route handler is exported through this: an error that means the database cannot serve the
 * request now (down, restarting, behind a restarting PgBouncer, no free pooled connection in time, a
 * statement timeout) answers 503 with Retry-After instead of a 500; any other error stays an error.
 *
 *   export const GET = apiRoute(async (request: Request) => { … });
 */
export function apiRoute<A extends unknown[]>(
  handler: (...args: A) => Promise<Response>,
): (...args: A) => Promise<Response> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      console.error(`database unavailable: ${unavailableCause(error)}`);
      return databaseUnavailableJson();
    }
  };
}
