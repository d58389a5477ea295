/**
 * How a verdict is answered: a small JSON body by default, one plain-text line when the caller
 * asks for text/plain. The status code alone already tells a network whether to retry.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Verdict } from '../../ingest/ingestor.js';

export interface VerdictBody {
  status: 'accepted' | 'duplicate' | 'rejected';
  event_id?: number;
  reason?: string;
  code?: string;
  field?: string;
}

export function verdictBody(verdict: Verdict): { httpStatus: number; body: VerdictBody } {
  if (verdict.status === 'rejected') {
    const { code, reason, field } = verdict.rejection;
    return {
      httpStatus: verdict.httpStatus,
      body: { status: 'rejected', reason, code, ...(field ? { field } : {}) },
    };
  }
  return { httpStatus: 200, body: { status: verdict.status, event_id: verdict.eventId } };
}

export function wantsText(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/plain') && !accept.includes('json');
}

export function sendVerdict(request: FastifyRequest, reply: FastifyReply, verdict: Verdict): FastifyReply {
  const { httpStatus, body } = verdictBody(verdict);
  reply.code(httpStatus);
  if (wantsText(request)) {
    const text =
      body.status === 'rejected'
        ? `rejected: ${body.reason}`
        : `${body.status} ${body.event_id ?? ''}`.trim();
    return reply.type('text/plain; charset=utf-8').send(`${text}\n`);
  }
  return reply.send(body);
}
