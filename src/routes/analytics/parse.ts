/**
 * Request parsing for the read routes: a zod contract applied to the query or params, its first
 * issue turned into AppError('bad_request') naming the field. Never lets a bad parameter reach a
 * query.
 */
import type { z } from 'zod';
import { AppError } from '../../errors.js';

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  throw new AppError('bad_request', `${field ? `${field}: ` : ''}${issue?.message ?? 'invalid query'}`, {
    field,
  });
}
