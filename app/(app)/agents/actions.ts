"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { channels } from "@/db/schema";
import { isUuid } from "@/db";
import { createAgent, DuplicateAgentNameError, renameAgent, setAgentDisabled } from "@/lib/agents";
import { tenantAction, type ActionResult, type FormState } from "@/lib/validated-action";

const agentName = z
  .string()
  .trim()
  .min(2, "Give the agent a name of at least 2 characters.")
  .max(80, "Keep the name under 80 characters.")
  .refine(
    (v) => ![...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127),
    "The name cannot contain control characters.",
  );
const agentId = z
  .string()
  .refine(isUuid, "Unknown agent.")
  .transform((v) => v.toLowerCase());

const createSchema = z.object({
  name: agentName,
  channel: z.enum(channels, { message: "Choose voice or chat." }),
  vertical: z
    .string()
    .trim()
    .min(2, "Describe the line of business in at least 2 characters (e.g. healthcare).")
    .max(60, "Keep the line of business under 60 characters."),
});

const notFound: ActionResult = { error: "That agent does not exist in this workspace." };

function duplicate(error: unknown): ActionResult {
  if (error instanceof DuplicateAgentNameError) return { fieldErrors: { name: error.message } };
  throw error;
}

const create = tenantAction(createSchema, { resource: "agents", action: "create" }, async (input, tx, session) => {
  try {
    const id = await createAgent(tx, session.tenantId, input);
    revalidatePath("/agents");
    return { ok: true, redirectTo: `/agents/${id}?created=1` };
  } catch (error) {
    return duplicate(error);
  }
});

const rename = tenantAction(
  z.object({ agentId, name: agentName }),
  { resource: "agents", action: "update" },
  async (input, tx, session) => {
    try {
      if (!(await renameAgent(tx, session.tenantId, input.agentId, input.name))) return notFound;
    } catch (error) {
      return duplicate(error);
    }
    revalidatePath("/agents");
    revalidatePath(`/agents/${input.agentId}`);
    return { ok: true, message: `Renamed to ${input.name}.` };
  },
);

const toggle = tenantAction(
  z.object({ agentId, disabled: z.enum(["true", "false"], { message: "Choose disable or enable." }) }),
  { resource: "agents", action: "update" },
  async (input, tx, session) => {
    const disabled = input.disabled === "true";
    if (!(await setAgentDisabled(tx, session.tenantId, input.agentId, disabled))) return notFound;
    revalidatePath("/agents");
    revalidatePath(`/agents/${input.agentId}`);
    return { ok: true, message: disabled ? "Agent disabled." : "Agent enabled." };
  },
);

// A "use server" file may export only async functions.
export async function createAgentAction(previous: FormState, form: FormData) {
  return create(previous, form);
}
export async function renameAgentAction(previous: FormState, form: FormData) {
  return rename(previous, form);
}
export async function setAgentDisabledAction(previous: FormState, form: FormData) {
  return toggle(previous, form);
}
