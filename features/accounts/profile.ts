import { eq, sql } from "drizzle-orm";
import type { TenantTx } from "@/db";
import { users } from "@/db/schema";

/** One's own name: RLS (user_update_self) and the column grant allow exactly this. */
export async function renameSelf(tx: TenantTx, userId: string, name: string): Promise<void> {
  await tx.update(users).set({ name }).where(eq(users.id, userId));
}

/** The user in the signed context changes their password; the current one is checked in the database. */
export async function changeOwnPassword(
  tx: TenantTx,
  current: string,
  next: string,
): Promise<"changed" | "wrong_password" | "throttled"> {
  const [row] = await tx.execute<{ outcome: "changed" | "wrong_password" | "throttled" }>(
    sql`select app.change_password(${current}, ${next}) as outcome`,
  );
  return row?.outcome ?? "wrong_password";
}
