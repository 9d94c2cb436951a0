import { z } from "zod";
import { channels, conversationStatuses, speakers } from "@/db/schema";
import { cursorText, instantField, intField, textField } from "@/lib/validation";

/**
 * The ingest API's wire format (snake_case JSON), validated with zod. The same schemas generate the
 * OpenAPI document (lib/ingest/openapi.ts), so the document cannot drift from what is enforced.
 */
export const turnInput = z
  .object({
    speaker: z.enum(speakers),
    text: textField({ min: 1, max: 10_000 }),
    offset_ms: intField(0, 86_400_000),
  })
  .strict();

export const conversationInput = z
  .object({
    agent: textField({ min: 1, max: 200 }).describe("The agent's id (UUID) or its name, in the key's tenant."),
    channel: z.enum(channels),
    caller: textField({ min: 1, max: 200, trim: true }).describe("Phone number, email or handle of the other party."),
    status: z.enum(conversationStatuses).default("completed"),
    started_at: instantField.describe(
      "ISO 8601 with a time zone, e.g. 2026-05-01T09:30:00Z; a calendar date between years 0001 and 9999 in UTC.",
    ),
    duration_seconds: intField(0, 86_400),
    summary: textField({ max: 10_000 }).default(""),
    turns: z.array(turnInput).max(2_000).default([]),
  })
  .strict();

export type ConversationInput = z.infer<typeof conversationInput>;

export const listQuery = z
  .object({
    limit: intField(1, 100, { coerce: true }).default(50),
    after: cursorText.optional().describe("next_cursor of the previous page."),
  })
  .strict();

const turnOutput = z.object({
  position: z.number().int(),
  speaker: z.enum(speakers),
  text: z.string(),
  offset_ms: z.number().int(),
});

const conversationSummaryOutput = z.object({
  id: z.guid(),
  agent: z.object({ id: z.guid(), name: z.string() }),
  channel: z.enum(channels),
  caller: z.string(),
  status: z.enum(conversationStatuses),
  started_at: z.iso.datetime({ offset: true }),
  duration_seconds: z.number().int(),
  summary: z.string(),
});

export const conversationOutput = conversationSummaryOutput.extend({ turns: z.array(turnOutput) });
export const conversationPageOutput = z.object({
  data: z.array(conversationSummaryOutput),
  next_cursor: z.string().nullable().describe("Pass as ?after= for the next page; null on the last page."),
});

export type ConversationOutput = z.infer<typeof conversationOutput>;
export type ConversationSummaryOutput = z.infer<typeof conversationSummaryOutput>;
