/**
 * How a verdict is answered: a small JSON body by default, one plain-text line when the caller
 * asks for text/plain. The status code alone already tells a network whether to retry.
 * Both ways in (fastify's route and the node:http fast path) answer through `verdictAnswer`.
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

export function wantsText(accept: string | undefined): boolean {
  const value = accept ?? '';
  return value.includes('text/plain') && !value.includes('json');
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** The whole answer to a verdict: status, content type and the bytes of the body. */
export function verdictAnswer(
  verdict: Verdict,
  accept: string | undefined,
): { httpStatus: number; contentType: string; payload: string } {
  const { httpStatus, body } = verdictBody(verdict);
  if (!wantsText(accept)) return { httpStatus, contentType: JSON_TYPE, payload: JSON.stringify(body) };
  const text =
    body.status === 'rejected' ? `rejected: ${body.reason}` : `${body.status} ${body.event_id ?? ''}`.trim();
  return { httpStatus, contentType: TEXT_TYPE, payload: `${text}\n` };
}

export function sendVerdict(request: FastifyRequest, reply: FastifyReply, verdict: Verdict): FastifyReply {
  const answer = verdictAnswer(verdict, request.headers.accept);
  return reply.code(answer.httpStatus).type(answer.contentType).send(answer.payload);
}
