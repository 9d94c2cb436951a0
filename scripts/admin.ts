import postgres from "postgres";
import { applyDevDefaults, embeddedOwnerUrl, ensureDatabase, loadDotEnv } from "@/db/dev-environment";
import type { EmbeddedServer } from "@/db/embedded";

/**
 * `npm run admin -- grant <email>` / `revoke <email>` / `list`: the platform-admin flag is set only
 * here, as the database owner (DATABASE_URL), never from the UI; app_user cannot write the column.
 * Every change is recorded in platform_audit_events.
 */
const usage = "usage: npm run admin -- grant <email> | revoke <email> | list";
const [command, emailArgument] = process.argv.slice(2);

loadDotEnv();
let server: EmbeddedServer | undefined;
if (!process.env.DATABASE_URL) {
  if (process.env.NODE_ENV === "production") throw new Error("Set DATABASE_URL (the owner connection).");
  const secrets = applyDevDefaults();
  // Use the embedded server of a running `npm run dev` if there is one; start it otherwise.
  const running = embeddedOwnerUrl(secrets.postgresPassword);
  if (await answers(running)) process.env.DATABASE_URL = running;
  else server = await ensureDatabase(secrets);
}
const owner = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
let exitCode = 0;
try {
  if (command === "list") {
    const admins = await owner<
      { email: string; name: string }[]
    >`select email, name from users where is_platform_admin order by email`;
    console.log(admins.length ? admins.map((a) => `${a.email}  (${a.name})`).join("\n") : "No platform admins.");
  } else if ((command === "grant" || command === "revoke") && emailArgument) {
    const email = emailArgument.trim().toLowerCase();
    const flag = command === "grant";
    const changed = await owner.begin(async (tx) => {
      const rows = await tx<
        { id: string }[]
      >`update users set is_platform_admin = ${flag} where email = ${email} returning id`;
      if (rows.length > 0) {
        await tx`insert into platform_audit_events (actor_user_id, action, metadata)
                 values (null, ${flag ? "admin.granted" : "admin.revoked"}, ${tx.json({ email, userId: rows[0]!.id, via: "cli", osUser: process.env.USER ?? null })})`;
      }
      return rows.length;
    });
    if (changed === 0) {
      console.error(`No user with the email ${email}.`);
      exitCode = 1;
    } else {
      console.log(flag ? `${email} is now a platform admin.` : `${email} is no longer a platform admin.`);
    }
  } else {
    console.error(usage);
    exitCode = 2;
  }
} finally {
  await owner.end();
  await server?.stop();
}
process.exit(exitCode);

async function answers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end();
  }
}
