"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { isUuid, withTenant } from "@/db";
import { apiKeyNameMaxLength, createApiKey, revokeApiKey } from "@/lib/api-keys/store";
import { can } from "@/lib/permissions";
import { currentTenant } from "@/lib/tenancy";

export interface CreateKeyState {
  error?: string;
  name?: string;
  created?: { id: string; name: string; key: string };
}

const keyName = z
  .string()
  .trim()
  .min(1, "Give the key a name, e.g. the agent or integration that will use it.")
  .max(apiKeyNameMaxLength, `At most ${apiKeyNameMaxLength} characters.`);

export async function createKeyAction(_prev: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  const session = await currentTenant();
  const raw = String(form.get("name") ?? "");
  if (!can(session.role, "apiKeys", "create")) return { error: `A ${session.role} cannot create API keys.`, name: raw };
  const name = keyName.safeParse(raw);
  if (!name.success) return { error: name.error.issues[0]?.message, name: raw };
  const created = await withTenant(
    session.tenantId,
    (tx) => createApiKey(tx, { tenantId: session.tenantId, name: name.data, createdBy: session.userId }),
    { userId: session.userId },
  );
  revalidatePath("/settings/api-keys");
  return { created: { id: created.id, name: created.name, key: created.key } };
}

export interface RevokeKeyState {
  error?: string;
}

export async function revokeKeyAction(_prev: RevokeKeyState, form: FormData): Promise<RevokeKeyState> {
  const session = await currentTenant();
  if (!can(session.role, "apiKeys", "revoke")) return { error: `A ${session.role} cannot revoke API keys.` };
  const id = String(form.get("id") ?? "");
  if (!isUuid(id)) return { error: "Unknown key." };
  const revoked = await withTenant(
    session.tenantId,
    (tx) => revokeApiKey(tx, { tenantId: session.tenantId, id, revokedBy: session.userId }),
    { userId: session.userId },
  );
  revalidatePath("/settings/api-keys");
  return revoked ? {} : { error: "This key does not exist or is already revoked." };
}
