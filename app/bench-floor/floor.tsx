import { notFound } from "next/navigation";
import { isUuid, withTenant, type TenantTx } from "@/db";
import { auth } from "@/lib/auth";

/**
 * The benchmark's floor pages (bench/http-phase.ts): what a page cannot do without, measured beside
 * the real page in the same run. Their files end in .floor.tsx, which next.config.ts counts as pages
 * only when the build has BENCH_FLOOR_PAGES=1; middleware.ts leaves /bench-floor/ alone.
 */
export interface FloorRow {
  key: string;
  cells: (string | number)[];
}

/** Rows as plain text: no class names, no client components. */
export function PlainRows({ rows }: { rows: FloorRow[] }) {
  return (
    <ul>
      {rows.map((r) => (
        <li key={r.key}>{r.cells.join(" · ")}</li>
      ))}
    </ul>
  );
}

/** The floor of a signed-in page: the Auth.js session, then withTenant on its tenant. */
export async function inSessionTenant<T>(fn: (tx: TenantTx, tenantId: string) => Promise<T>): Promise<T> {
  const session = await auth();
  const tenantId = session?.activeTenantId;
  const userId = session?.user?.id;
  if (!tenantId || !isUuid(tenantId) || !userId) notFound();
  return withTenant(tenantId, (tx) => fn(tx, tenantId), { userId });
}
