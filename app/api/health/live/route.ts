// Liveness: the process is up and answers HTTP. It reads nothing else (no database): a database outage
// must not get healthy instances restarted; readiness (../ready) takes them out of rotation instead.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "live" }, { headers: { "Cache-Control": "no-store" } });
}
