/** The Import page's URL: the source chosen and the job shown (so a result is a link, and survives a reload). */
import { z } from 'zod';
import { slugParam } from '../../lib/url-state';

export const importSearch = z.object({
  source: slugParam(),
  job: z
    .string()
    .regex(/^[0-9a-f-]{36}$/)
    .optional()
    .catch(undefined),
});
export type ImportSearch = z.output<typeof importSearch>;
