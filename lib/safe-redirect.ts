/**
 * Where to go after signing in: a path on this app only. An absolute URL (Auth.js puts one in
 * `callbackUrl`) keeps only its path and query, so a crafted link cannot send anyone elsewhere.
 */
export function safeAppPath(value: unknown, fallback = "/conversations"): string {
  if (typeof value !== "string" || value === "") return fallback;
  try {
    const url = new URL(value, "http://app.invalid");
    const path = `${url.pathname}${url.search}`;
    if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/login") || path.startsWith("/api/"))
      return fallback;
    return path;
  } catch {
    return fallback;
  }
}
