/**
 * Who is calling the token API. TEMPORARY STUB until the access issue lands API clients: a single
 * bearer token from the API_TOKEN setting is accepted; with no token configured every call is
 * refused. The real implementation (hashed per-client tokens, rate limits) replaces this function.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export interface ApiCaller {
  name: string;
}

export function authenticateApiCaller(request: FastifyRequest, configuredToken: string | null): ApiCaller {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(configuredToken ?? '');
  const ok = configuredToken !== null && given.length === expected.length && timingSafeEqual(given, expected);
  if (!ok) throw new AppError('unauthorized', 'invalid or missing bearer token');
  return { name: 'api' };
}
