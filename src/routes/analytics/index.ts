/**
 * The read API under /api/v1: every figure, table and export the panel shows. Registered by
 * server.ts inside a scope that already authenticated the caller (a session or an API client).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';

export async function analyticsRoutes(_app: FastifyInstance, _ctx: AppContext): Promise<void> {}
