/**
 * The one way a route handler reads a request body: counted as it streams, so a body without a
 * Content-Length (chunked) is refused as soon as it passes the limit instead of being read whole
 * first; decoded as UTF-8 strictly (bytes that are not UTF-8 are a 400, not silently replaced).
 */
export const maxBodyBytes = 1_000_000;

export type BodyText = { ok: true; text: string } | { ok: false; status: 400 | 413; code: string; message: string };

const tooLarge = (limit: number) =>
  ({ ok: false, status: 413, code: "body_too_large", message: `The body is larger than ${limit} bytes.` }) as const;

export async function readBodyText(request: Request, limit = maxBodyBytes): Promise<BodyText> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) return tooLarge(limit);
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      await reader.cancel().catch(() => undefined);
      return tooLarge(limit);
    }
    chunks.push(value);
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { ok: false, status: 400, code: "invalid_encoding", message: "The body is not UTF-8 text." };
  }
}
