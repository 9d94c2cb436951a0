import type { Metadata } from "next";
import Link from "next/link";
import { auditActions, auditFilterSchema, decodeAuditCursor, listAuditEvents } from "@/features/audit-log/list";
import { formatStart } from "@/lib/format";
import { listMembers } from "@/features/members/members";
import { together } from "@/db";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Audit log" };

type Search = Record<string, string | string[] | undefined>;

const control =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

function describe(metadata: Record<string, unknown>): string {
  return Object.entries(metadata)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<Search> }) {
  const session = await requireTenant("auditLog.read");
  const raw = Object.fromEntries(
    Object.entries(await searchParams).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const parsed = auditFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const errors = parsed.success
    ? {}
    : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
  // A cursor that does not decode starts from the newest; a well-formed one only positions the keyset.
  const cursor = filter.after ? decodeAuditCursor(filter.after) : null;

  const [events, actions, members] = await withSessionTenant(session, (tx) =>
    together([
      parsed.success ? listAuditEvents(tx, session.tenantId, filter, cursor) : { rows: [], next: null },
      auditActions(tx, session.tenantId),
      listMembers(tx, session.tenantId),
    ]),
  );

  const keep = new URLSearchParams(
    Object.entries({ action: filter.action, actor: filter.actor, from: filter.from, to: filter.to }).filter(
      (e): e is [string, string] => Boolean(e[1]),
    ),
  );
  const nextHref = events.next ? `/settings/audit?${new URLSearchParams([...keep, ["after", events.next]])}` : null;
  const filtered = keep.size > 0;

  return (
    <div className="space-y-4">
      <form
        method="get"
        className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-5 sm:items-end dark:border-slate-800 dark:bg-slate-900"
        aria-label="Filter the audit log"
      >
        <div>
          <label htmlFor="f-action" className="block text-sm font-medium">
            Action
          </label>
          <select id="f-action" name="action" defaultValue={raw.action ?? ""} className={control}>
            <option value="">Any action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-actor" className="block text-sm font-medium">
            Actor
          </label>
          <select id="f-actor" name="actor" defaultValue={raw.actor ?? ""} className={control}>
            <option value="">Anyone</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-from" className="block text-sm font-medium">
            From (UTC)
          </label>
          <input
            id="f-from"
            name="from"
            type="date"
            defaultValue={raw.from ?? ""}
            aria-invalid={errors.from ? true : undefined}
            className={control}
          />
          {errors.from ? <p className="mt-1 text-sm text-red-600 dark:text-red-400">{errors.from}</p> : null}
        </div>
        <div>
          <label htmlFor="f-to" className="block text-sm font-medium">
            To (UTC)
          </label>
          <input
            id="f-to"
            name="to"
            type="date"
            defaultValue={raw.to ?? ""}
            aria-invalid={errors.to ? true : undefined}
            className={control}
          />
          {errors.to ? <p className="mt-1 text-sm text-red-600 dark:text-red-400">{errors.to}</p> : null}
        </div>
        <div className="flex gap-2">
          <button className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50">
            Filter
          </button>
          {filtered ? (
            <Link
              href="/settings/audit"
              className="rounded-md px-3 py-2 text-sm text-slate-600 hover:underline dark:text-slate-300"
            >
              Clear
            </Link>
          ) : null}
        </div>
      </form>

      {!parsed.success ? (
        <p
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        >
          Please correct the filter.
        </p>
      ) : events.rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-10 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          {filtered || cursor ? "No events match these filters." : "No events yet."}
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-left text-sm" data-testid="audit-table">
            <thead className="border-b border-slate-200 text-xs uppercase text-slate-500 dark:border-slate-800">
              <tr>
                <th scope="col" className="px-4 py-2">
                  When
                </th>
                <th scope="col" className="px-4 py-2">
                  Action
                </th>
                <th scope="col" className="px-4 py-2">
                  Actor
                </th>
                <th scope="col" className="px-4 py-2">
                  Target
                </th>
                <th scope="col" className="px-4 py-2">
                  Details
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {events.rows.map((e) => (
                <tr key={e.id} data-testid="audit-row">
                  <td className="whitespace-nowrap px-4 py-2 text-slate-500">{formatStart(e.occurredAt)}</td>
                  <td className="px-4 py-2 font-mono text-xs">{e.action}</td>
                  <td className="px-4 py-2">{e.actorName ?? (e.actorUserId ? "former member" : "—")}</td>
                  <td className="px-4 py-2">{e.target ?? "—"}</td>
                  <td className="px-4 py-2 text-xs text-slate-500">{describe(e.metadata)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="flex justify-between text-sm" aria-label="Pagination">
        {cursor ? (
          <Link
            href={`/settings/audit${keep.size ? `?${keep}` : ""}`}
            className="text-indigo-600 hover:underline dark:text-indigo-400"
          >
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {nextHref ? (
          <Link
            href={nextHref}
            className="text-indigo-600 hover:underline dark:text-indigo-400"
            data-testid="audit-next-page"
          >
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
