import type { Metadata } from "next";
import { auditActions, auditFilterSchema, decodeAuditCursor, listAuditEvents } from "@/features/audit-log/list";
import { formatStart } from "@/lib/format";
import { listMembers } from "@/features/members/members";
import { together } from "@/db";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import type { FormState } from "@/lib/form-state";
import { Field, SelectField } from "@/components/form";
import { buttonClass, cardClass, DataTable, EmptyState, Notice, Pagination, TextLink, Td, Th } from "@/components/ui";

export const metadata: Metadata = { title: "Audit log" };

type Search = Record<string, string | string[] | undefined>;

// Metadata is jsonb: strings as they are, everything else as its JSON text.
function describe(metadata: Record<string, unknown>): string {
  return Object.entries(metadata)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
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

  const state: FormState = { values: raw, fieldErrors: errors };
  return (
    <div className="space-y-4">
      <form
        method="get"
        className={`grid gap-3 p-4 sm:grid-cols-5 sm:items-end ${cardClass}`}
        aria-label="Filter the audit log"
      >
        <SelectField
          id="f-action"
          name="action"
          label="Action"
          options={[{ value: "", label: "Any action" }, ...actions.map((a) => ({ value: a, label: a }))]}
          defaultValue=""
          state={state}
        />
        <SelectField
          id="f-actor"
          name="actor"
          label="Actor"
          options={[{ value: "", label: "Anyone" }, ...members.map((m) => ({ value: m.userId, label: m.name }))]}
          defaultValue=""
          state={state}
        />
        <Field id="f-from" name="from" type="date" label="From (UTC)" state={state} />
        <Field id="f-to" name="to" type="date" label="To (UTC)" state={state} />
        <div className="flex items-center gap-3">
          <button className={buttonClass()}>Filter</button>
          {filtered ? (
            <TextLink href="/settings/audit" className="text-sm">
              Clear
            </TextLink>
          ) : null}
        </div>
      </form>

      {!parsed.success ? (
        <Notice tone="error">Please correct the filter.</Notice>
      ) : events.rows.length === 0 ? (
        <EmptyState>{filtered || cursor ? "No events match these filters." : "No events yet."}</EmptyState>
      ) : (
        <DataTable
          data-testid="audit-table"
          head={
            <>
              <Th>When</Th>
              <Th>Action</Th>
              <Th>Actor</Th>
              <Th>Target</Th>
              <Th>Details</Th>
            </>
          }
        >
          {events.rows.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <Td date>{formatStart(e.occurredAt)}</Td>
              <Td className="font-mono text-xs">{e.action}</Td>
              <Td>{e.actorName ?? (e.actorUserId ? "former member" : "—")}</Td>
              <Td>{e.target ?? "—"}</Td>
              <Td className="text-xs text-slate-500">{describe(e.metadata)}</Td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination
        newer={cursor ? <TextLink href={`/settings/audit${keep.size ? `?${keep}` : ""}`}>← Newest</TextLink> : null}
        older={
          nextHref ? (
            <TextLink href={nextHref} data-testid="audit-next-page">
              Older →
            </TextLink>
          ) : null
        }
      />
    </div>
  );
}
