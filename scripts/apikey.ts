import { parseArgs } from "node:util";
import postgres from "postgres";
import { closePools, rawPool } from "@/db/client";
import { applyDevDefaults, ensureDatabase, loadDotEnv, devSecrets, embeddedOwnerUrl } from "@/db/dev-environment";
import { withTenant } from "@/db/tenant";
import { createApiKey, listApiKeys, revokeApiKey } from "@/features/api-keys/store";
import type { EmbeddedServer } from "@/db/embedded";

/**
 * npm run apikey -- create --tenant <slug> --name <label>   (prints the key as the last line)
 * npm run apikey -- list   --tenant <slug>
 * npm run apikey -- revoke --tenant <slug> --id <key id>
 * Uses DATABASE_URL, else the embedded development database (started for the command if not running).
 */
const usage =
  "usage: npm run apikey -- create --tenant <slug> --name <label> | list --tenant <slug> | revoke --tenant <slug> --id <key id>";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { tenant: { type: "string" }, name: { type: "string" }, id: { type: "string" } },
});
const [command] = positionals;
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
if (!command || !["create", "list", "revoke"].includes(command)) fail(usage);
if (!values.tenant) fail(`--tenant is required\n${usage}`);
if (command === "create" && !values.name?.trim()) fail(`--name is required\n${usage}`);
if (command === "revoke" && !values.id) fail(`--id is required\n${usage}`);

async function reachable(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

loadDotEnv();
let server: EmbeddedServer | undefined;
if (process.env.NODE_ENV !== "production") {
  const secrets = applyDevDefaults();
  if (!process.env.DATABASE_URL) {
    const devUrl = embeddedOwnerUrl(devSecrets().postgresPassword);
    if (await reachable(devUrl)) process.env.DATABASE_URL = devUrl;
    else server = await ensureDatabase(secrets);
  }
}

try {
  const [tenant] = await rawPool("platform_admin")<
    { id: string; name: string }[]
  >`select id, name from tenants where slug = ${values.tenant!}`;
  if (!tenant) fail(`No tenant with slug ${JSON.stringify(values.tenant)}.`);
  const tenantId = tenant!.id;
  if (command === "create") {
    const name = values.name!.trim().slice(0, 100);
    const key = await withTenant(tenantId, (tx) => createApiKey(tx, { tenantId, name, createdBy: null }));
    console.log(
      `Created API key "${key.name}" (id ${key.id}) for ${tenant!.name}. It is shown only now; store it safely:`,
    );
    console.log(key.key);
  } else if (command === "list") {
    const keys = await withTenant(tenantId, (tx) => listApiKeys(tx, tenantId));
    if (keys.length === 0) console.log(`${tenant!.name} has no API keys.`);
    for (const k of keys) {
      const state = k.revokedAt
        ? `revoked ${k.revokedAt.toISOString()}`
        : `last used ${k.lastUsedAt?.toISOString() ?? "never"}`;
      console.log(`${k.id}  ${k.prefix}…  ${k.name}  created ${k.createdAt.toISOString()}  ${state}`);
    }
  } else {
    const revoked = await withTenant(tenantId, (tx) => revokeApiKey(tx, { tenantId, id: values.id!, revokedBy: null }));
    if (!revoked) fail(`No live API key with id ${values.id} in ${tenant!.name}.`);
    console.log(`Revoked API key ${values.id}.`);
  }
} finally {
  await closePools();
  await server?.stop();
}
