// Runs once when the server starts: an invalid or incomplete environment (in production: missing
// TENANT_CONTEXT_SECRET or AUTH_SECRET) stops the server here instead of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env } = await import("@/lib/env");
    env();
  }
}
