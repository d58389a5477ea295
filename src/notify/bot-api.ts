/**
 * The Telegram Bot API client: one HTTPS call per method, with a timeout, classified into what the
 * sender does next — ok; rate limited (429, wait `retry_after`); failed for good (400/401/403/404:
 * bad chat, bot kicked, bad token); or transient (5xx, timeout, network error: retry later). The
 * base URL is a setting (a fake server in tests). The token is part of the URL, so neither the URL
 * nor the token ever appears in an outcome, an error or a log line.
 */

export type ApiOutcome<T> =
  | { kind: 'ok'; result: T }
  | { kind: 'rate_limited'; retryAfterMs: number; description: string }
  | { kind: 'permanent'; status: number; description: string }
  | { kind: 'transient'; reason: string };

export interface SentMessage {
  message_id: number;
}

export interface BotUser {
  id: number;
  is_bot: boolean;
  username?: string;
  first_name?: string;
}

interface TelegramAnswer {
  ok?: boolean;
  result?: unknown;
  description?: string;
  error_code?: number;
  parameters?: { retry_after?: number };
}

function explain(status: number, answer: TelegramAnswer | null): string {
  const text = typeof answer?.description === 'string' ? answer.description.slice(0, 300) : '';
  return text === '' ? `HTTP ${status}` : `${status} ${text}`;
}

export class BotApi {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async call<T>(token: string, method: string, body: Record<string, unknown>): Promise<ApiOutcome<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/bot${token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return {
        kind: 'transient',
        reason: timedOut ? `no answer within ${this.timeoutMs} ms` : 'network error',
      };
    }
    let answer: TelegramAnswer | null = null;
    try {
      const parsed: unknown = await response.json();
      if (typeof parsed === 'object' && parsed !== null) answer = parsed as TelegramAnswer;
    } catch {
      answer = null;
    }
    const status = response.status;
    if (status === 200 && answer?.ok === true) return { kind: 'ok', result: answer.result as T };
    if (status === 429) {
      const seconds = Number(answer?.parameters?.retry_after);
      const retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : 1000;
      return { kind: 'rate_limited', retryAfterMs, description: explain(status, answer) };
    }
    if (status === 400 || status === 401 || status === 403 || status === 404)
      return { kind: 'permanent', status, description: explain(status, answer) };
    return { kind: 'transient', reason: explain(status, answer) };
  }

  sendMessage(token: string, chatId: string, html: string): Promise<ApiOutcome<SentMessage>> {
    return this.call<SentMessage>(token, 'sendMessage', {
      chat_id: chatId,
      text: html,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
  }

  getMe(token: string): Promise<ApiOutcome<BotUser>> {
    return this.call<BotUser>(token, 'getMe', {});
  }
}
