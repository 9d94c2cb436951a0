import type { z } from "zod";

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

const maxBodyBytes = 1_000_000;

/** Reads and validates a JSON body; a bad one is a 400 naming each invalid field, never a 500. */
export async function readJsonBody<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBodyBytes)
    return { ok: false, response: jsonError(413, "body_too_large", `The body is larger than ${maxBodyBytes} bytes.`) };
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > maxBodyBytes)
    return { ok: false, response: jsonError(413, "body_too_large", `The body is larger than ${maxBodyBytes} bytes.`) };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: jsonError(400, "invalid_json", "The body is not valid JSON.") };
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
