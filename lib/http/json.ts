import type { z } from "zod";
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
