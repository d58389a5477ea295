/**
 * API clients: external systems that read /api/v1 and send events with a bearer token. The token
 * (`afp_` + 256 random bits) is returned once at creation; only its SHA-256 and its first 8
 * characters are stored. Wrong, missing, revoked and malformed tokens are indistinguishable.
 */
import { z } from 'zod';
import type { Db } from '../db/connect.js';
import type { ApiClientRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { hashSecret, randomSecret } from './secrets.js';

export const API_TOKEN_PREFIX = 'afp_';
export const DEFAULT_RATE_LIMIT = 60;
const LAST_USED_EVERY_MS = 10_000;

export const apiClientInputSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(64),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).default(DEFAULT_RATE_LIMIT),
});

export const apiClientPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    rateLimitPerMinute: z.number().int().min(1).max(100_000),
    isActive: z.boolean(),
  })
  .partial();

/** What may be shown of a client: never the token or its hash. */
export interface PublicApiClient {
  id: number;
  name: string;
  keyPrefix: string;
  status: 'active' | 'inactive';
  rateLimitPerMinute: number;
  lastUsedAt: string | null;
  createdAt: string;
}

export function publicApiClient(row: ApiClientRow): PublicApiClient {
  return {
    id: Number(row.id),
    name: row.name,
    keyPrefix: row.token_prefix,
    status: row.is_active === 1 ? 'active' : 'inactive',
    rateLimitPerMinute: row.rate_limit_per_minute,
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function createApiClient(
  db: Db,
  input: unknown,
  createdBy: number | null,
  now = Date.now(),
): Promise<{ client: ApiClientRow; token: string }> {
  const parsed = apiClientInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('bad_request', issue?.message ?? 'invalid client', { field: issue?.path.join('.') });
  }
  const exists = await db.kysely
    .selectFrom('api_clients')
    .select('id')
    .where('name', '=', parsed.data.name)
    .executeTakeFirst();
  if (exists)
    throw new AppError('conflict', `an API client named "${parsed.data.name}" exists`, { field: 'name' });
  const token = randomSecret(API_TOKEN_PREFIX);
  const client = await db.kysely
    .insertInto('api_clients')
    .values({
      name: parsed.data.name,
      token_hash: hashSecret(token),
      token_prefix: token.slice(0, 8),
      is_active: 1,
      rate_limit_per_minute: parsed.data.rateLimitPerMinute,
      last_used_at: null,
      created_at: now,
      created_by: createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { client, token };
}

/** The active client a bearer token belongs to, or null. Keeps last_used_at (at most every 10 s). */
export async function authenticateApiToken(
  db: Db,
  token: string,
  now = Date.now(),
): Promise<ApiClientRow | null> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 100) return null;
  const client = await db.kysely
    .selectFrom('api_clients')
    .selectAll()
    .where('token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (client?.is_active !== 1) return null;
  if (client.last_used_at === null || now - client.last_used_at > LAST_USED_EVERY_MS) {
    await db.kysely
      .updateTable('api_clients')
      .set({ last_used_at: now })
      .where('id', '=', client.id)
      .execute();
  }
  return client;
}
