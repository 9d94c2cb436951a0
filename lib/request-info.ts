import { headers } from "next/headers";
import { env } from "@/lib/env";

/**
 * The client's address, for the per-address sign-in throttle: the last X-Forwarded-For entry, the one
 * the nearest reverse proxy appended. Next fills the header from the socket only when the request has
 * none, so without a proxy in front a client can send its own header and pick the address it is
 * counted under: deploy behind a proxy that appends to X-Forwarded-For (the per-account throttle does
 * not depend on this).
 */
export function clientIp(h: Headers): string | null {
  const forwarded = h.get("x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .at(-1);
  return (last ?? h.get("x-real-ip") ?? "").slice(0, 64) || null;
}

/** Absolute URL for links that leave the app (emails): APP_URL, else this request's origin. */
export async function absoluteUrl(path: string): Promise<string> {
  const configured = env().APP_URL;
  if (configured) return new URL(path, configured).toString();
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? "http";
  return new URL(path, `${proto}://${host}`).toString();
}
