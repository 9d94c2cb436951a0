"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { apiKeyName, createApiKey, revokeApiKey } from "@/features/api-keys/store";
import { tenantAction } from "@/lib/action";
import { fail, ok } from "@/lib/form-state";
import { idField } from "@/lib/validation";

export const createKeyAction = tenantAction(
  "apiKeys.create",
  z.object({ name: apiKeyName }),
  async ({ name }, { tx, session }) => {
    const created = await createApiKey(tx, { tenantId: session.tenantId, name, createdBy: session.userId });
    revalidatePath("/settings/api-keys");
    return ok(undefined, { id: created.id, name: created.name, key: created.key });
  },
);

export const revokeKeyAction = tenantAction(
  "apiKeys.revoke",
  z.object({ id: idField("Unknown key.") }),
  async ({ id }, { tx, session }) => {
    const revoked = await revokeApiKey(tx, { tenantId: session.tenantId, id, revokedBy: session.userId });
    revalidatePath("/settings/api-keys");
    return revoked ? ok() : fail("This key does not exist or is already revoked.");
  },
);
