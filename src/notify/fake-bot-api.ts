/**
 * A small Telegram Bot API server on 127.0.0.1 for tests and the benchmark (the real one is not
 * reachable from our machines). It records every call (time, token, method, body, answer) and
 * answers like Telegram: sendMessage checks HTML parse mode with the same strict parser (400
 * "can't parse entities" on bad markup) and the 4096-character limit; getMe names the bot. It can
 * be told to answer 429 with retry_after, 400, 403, 5xx, or to hang (never answer). Never listens
 * on anything but loopback; test and benchmark code only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Entity, parseTelegramHtml, TELEGRAM_TEXT_LIMIT } from './telegram-html.js';

export type FakeBehaviour =
  | { kind: 'ok' }
  | { kind: 'retry_after'; seconds: number }
  | { kind: 'error'; status: number; description: string }
  | { kind: 'hang' };

export interface FakeCall {
  seq: number;
  /** Epoch milliseconds (fractional) when the request arrived. */
  at: number;
  token: string;
  method: string;
  body: Record<string, unknown>;
  /** The status answered, or 'hung' (never answered), 'aborted' (client went away while hung). */
  answer: number | 'hung' | 'aborted';
  chatId: string | null;
  /** sendMessage: the visible text and entities Telegram would show (when the markup parsed). */
  text: string | null;
  entities: Entity[];
  messageId: number | null;
}

export type FakeRule = (call: FakeCall) => FakeBehaviour | undefined;

const now = () => performance.timeOrigin + performance.now();

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export class FakeBotApi {
  readonly calls: FakeCall[] = [];
  private readonly server: Server;
  private rules: FakeRule[] = [];
  private readonly hung = new Set<ServerResponse>();
  private nextMessageId = 1;
  private port = 0;

  private constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(): Promise<FakeBotApi> {
    const fake = new FakeBotApi();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** What TELEGRAM_API_BASE_URL should be. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Adds a rule, consulted before older ones; the first that returns a behaviour decides. With no
   * rule deciding, the call succeeds.
   */
  script(rule: FakeRule): void {
    this.rules.unshift(rule);
  }

  /** The next `count` calls of `method` (optionally only those `where` accepts) behave as given. */
  failNext(
    count: number,
    behaviour: FakeBehaviour,
    method = 'sendMessage',
    where: (c: FakeCall) => boolean = () => true,
  ): void {
    let left = count;
    this.script((call) => {
      if (left <= 0 || call.method !== method || !where(call)) return undefined;
      left--;
      return behaviour;
    });
  }

  reset(): void {
    this.rules = [];
  }

  /** sendMessage calls Telegram would have delivered (answered 200). */
  delivered(chatId?: string): FakeCall[] {
    return this.calls.filter(
      (c) => c.method === 'sendMessage' && c.answer === 200 && (chatId === undefined || c.chatId === chatId),
    );
  }

  /** Calls still waiting for an answer that will never come. */
  hanging(): number {
    return this.hung.size;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        body = {};
      }
      const call: FakeCall = {
        seq: this.calls.length + 1,
        at: now(),
        token: m?.[1] ?? '',
        method: m?.[2] ?? '',
        body,
        answer: 'hung',
        chatId: body.chat_id === undefined ? null : String(body.chat_id),
        text: null,
        entities: [],
        messageId: null,
      };
      this.calls.push(call);
      if (!m) {
        call.answer = 404;
        reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      const behaviour = this.rules.map((rule) => rule(call)).find((b) => b !== undefined) ?? { kind: 'ok' };
      this.answer(call, behaviour, res);
    });
  }

  private answer(call: FakeCall, behaviour: FakeBehaviour, res: ServerResponse): void {
    if (behaviour.kind === 'hang') {
      this.hung.add(res);
      res.on('close', () => {
        if (this.hung.delete(res)) call.answer = 'aborted';
      });
      return;
    }
    if (behaviour.kind === 'retry_after') {
      call.answer = 429;
      reply(res, 429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${behaviour.seconds}`,
        parameters: { retry_after: behaviour.seconds },
      });
      return;
    }
    if (behaviour.kind === 'error') {
      call.answer = behaviour.status;
      reply(res, behaviour.status, {
        ok: false,
        error_code: behaviour.status,
        description: behaviour.description,
      });
      return;
    }
    if (call.method === 'getMe') {
      const id = Number(call.token.split(':')[0]) || 1;
      call.answer = 200;
      reply(res, 200, {
        ok: true,
        result: { id, is_bot: true, first_name: 'Fake', username: `fake_${id}_bot` },
      });
      return;
    }
    if (call.method !== 'sendMessage') {
      call.answer = 200;
      reply(res, 200, { ok: true, result: true });
      return;
    }
    const text = typeof call.body.text === 'string' ? call.body.text : '';
    const parsed =
      call.body.parse_mode === 'HTML' ? parseTelegramHtml(text) : { ok: true as const, text, entities: [] };
    if (!parsed.ok) {
      call.answer = 400;
      reply(res, 400, {
        ok: false,
        error_code: 400,
        description: `Bad Request: can't parse entities: ${parsed.error} at byte offset ${parsed.index}`,
      });
      return;
    }
    if (parsed.text.length === 0 || parsed.text.length > TELEGRAM_TEXT_LIMIT) {
      call.answer = 400;
      reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
      return;
    }
    call.text = parsed.text;
    call.entities = parsed.entities;
    call.messageId = this.nextMessageId++;
    call.answer = 200;
    reply(res, 200, {
      ok: true,
      result: {
        message_id: call.messageId,
        date: Math.floor(call.at / 1000),
        chat: { id: call.chatId },
        text: parsed.text,
      },
    });
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
