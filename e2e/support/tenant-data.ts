import { expect } from "@playwright/test";
import { adminConnection } from "./database";

/**
 * What a tenant's data looks like in a response: strings that appear nowhere else (its id and name,
 * agent names no other tenant uses, the first lines of its newest summaries, one full transcript),
 * and the ids of its newest conversations. Read with the BYPASSRLS admin role.
 */
export interface TenantFingerprint {
  slug: string;
  id: string;
  name: string;
  conversationIds: string[];
  secrets: string[];
}

export async function tenantFingerprint(slug: string): Promise<TenantFingerprint> {
  const admin = adminConnection();
  try {
    const [tenant] = await admin<{ id: string; name: string }[]>`select id, name from tenants where slug = ${slug}`;
    if (!tenant) throw new Error(`no tenant ${slug} in the test database`);
    const agents = await admin<{ name: string }[]>`
      select distinct name from agents a where tenant_id = ${tenant.id}
      and not exists (select from agents o where o.name = a.name and o.tenant_id <> a.tenant_id)`;
    const newest = await admin<{ id: string; headline: string }[]>`
      select id, split_part(summary, E'\\n', 1) as headline from conversations
      where tenant_id = ${tenant.id} order by started_at desc, id desc limit 120`;
    const headlines = new Set(newest.map((c) => c.headline));
    const shared = await admin<{ headline: string }[]>`
      select distinct split_part(summary, E'\\n', 1) as headline from conversations
      where tenant_id <> ${tenant.id} and split_part(summary, E'\\n', 1) = any(${[...headlines]})`;
    for (const s of shared) headlines.delete(s.headline);
    const turns = await admin<{ text: string }[]>`
      select text from conversation_turns t where tenant_id = ${tenant.id} and conversation_id = ${newest[0]!.id} and length(text) > 40
      and not exists (select from conversation_turns o where o.text = t.text and o.tenant_id <> t.tenant_id) order by position`;
    return {
      slug,
      id: tenant.id,
      name: tenant.name,
      conversationIds: newest.map((c) => c.id),
      secrets: [tenant.id, tenant.name, ...agents.map((a) => a.name), ...headlines, ...turns.map((t) => t.text)],
    };
  } finally {
    await admin.end();
  }
}

/**
 * Fails naming the first of `tenant`'s strings found in `body` (HTML as served, rendered DOM, JSON).
 * `except`: text the test itself sent (e.g. the URL), whose identifiers may be echoed back.
 */
export function expectNoDataOf(
  tenant: TenantFingerprint,
  body: string,
  where: string,
  options: { except?: string } = {},
) {
  const leaked = tenant.secrets.find((s) => body.includes(s) && !options.except?.includes(s));
  expect(leaked, `${where} contains ${tenant.slug} data: ${JSON.stringify(leaked)}`).toBeUndefined();
}

/** Names that only the demo tenants have: none may appear in a new tenant's pages. */
export async function demoTenantMarkers(): Promise<string[]> {
  const admin = adminConnection();
  try {
    const tenants = await admin<
      { name: string }[]
    >`select name from tenants where slug in ('acme-health', 'globex-realty', 'initech-salons')`;
    const agents = await admin<
      { name: string }[]
    >`select a.name from agents a join tenants t on t.id = a.tenant_id where t.slug in ('acme-health', 'globex-realty', 'initech-salons')`;
    const people = await admin<
      { email: string; name: string }[]
    >`select email, name from users where email like '%@acme.test' or email like '%@globex.test' or email like '%@initech.test' or email = 'dana@demo.test'`;
    return [...tenants.map((t) => t.name), ...agents.map((a) => a.name), ...people.flatMap((p) => [p.email, p.name])];
  } finally {
    await admin.end();
  }
}
