import { appUrl } from "@/lib/env";

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

/**
 * Absolute URL for links that leave the app (emails): from APP_URL only. Never from the request's Host
 * or X-Forwarded-Host, which the client chooses: a link built from them could point at anyone's host.
 */
export function absoluteUrl(path: string): string {
  return new URL(path, appUrl()).toString();
}
