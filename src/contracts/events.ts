/**
 * Contract of `POST /api/v1/events`: one event object, an array of them, or `{ events: [...] }`
 * (up to 1,000). Field names are the canonical ones; `source` names the source slug. The shape is
 * checked here; the rules of acceptance run per item in the ingest pipeline, as for a postback.
 */
import { z } from 'zod';

export const MAX_EVENTS_PER_CALL = 1000;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const eventInputSchema = z
  .object({
    source: z.string().min(1).max(64),
    event: z.string().optional(),
    type: z.string().optional(),
    brand: z.string().optional(),
  })
  .catchall(scalar);
export type EventInput = z.infer<typeof eventInputSchema>;

export const eventBatchSchema = z.union([
  eventInputSchema.transform((e) => ({ single: true as const, events: [e] })),
  z
    .array(eventInputSchema)
    .min(1)
    .max(MAX_EVENTS_PER_CALL)
    .transform((events) => ({ single: false as const, events })),
  z
    .object({ events: z.array(eventInputSchema).min(1).max(MAX_EVENTS_PER_CALL) })
    .transform(({ events }) => ({ single: false as const, events })),
]);

export const eventVerdictSchema = z.object({
  index: z.number().int(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  event_id: z.number().int().optional(),
  reason: z.string().optional(),
  code: z.string().optional(),
  field: z.string().optional(),
});
export type EventVerdict = z.infer<typeof eventVerdictSchema>;
