"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { channels } from "@/db/schema";
import { agentName, agentVertical, createAgent, renameAgent, setAgentDisabled } from "@/features/agents/queries";
import { tenantAction } from "@/lib/action";
import { fail, fieldError, ok } from "@/lib/form-state";
import { idField } from "@/lib/validation";

const agentId = idField("Unknown agent.");
const notFound = fail("That agent does not exist in this workspace.");

export const createAgentAction = tenantAction(
  "agents.create",
  z.object({
    name: agentName,
    channel: z.enum(channels, { message: "Choose voice or chat." }),
    vertical: agentVertical,
  }),
  async (input, { tx, session }) => {
    const created = await createAgent(tx, session.tenantId, input);
    if (!created.ok) return fieldError("name", created.message);
    revalidatePath("/agents");
    return { ...ok(), redirectTo: `/agents/${created.id}?created=1` };
  },
);

export const renameAgentAction = tenantAction(
  "agents.update",
  z.object({ agentId, name: agentName }),
  async (input, { tx, session }) => {
    const renamed = await renameAgent(tx, session.tenantId, input.agentId, input.name);
    if (!renamed.ok) return renamed.found ? fieldError("name", renamed.message) : notFound;
    revalidatePath("/agents");
    revalidatePath(`/agents/${input.agentId}`);
    return ok(`Renamed to ${input.name}.`);
  },
);

export const setAgentDisabledAction = tenantAction(
  "agents.update",
  z.object({ agentId, disabled: z.enum(["true", "false"], { message: "Choose disable or enable." }) }),
  async (input, { tx, session }) => {
    const disabled = input.disabled === "true";
    if (!(await setAgentDisabled(tx, session.tenantId, input.agentId, disabled))) return notFound;
    revalidatePath("/agents");
    revalidatePath(`/agents/${input.agentId}`);
    return ok(disabled ? "Agent disabled." : "Agent enabled.");
  },
);
