/**
 * The Telegram Bot API of the end-to-end run: the same fake the integration tests use
 * (`src/notify/fake-bot-api.ts`: strict HTML parse mode, getMe names the bot), on 127.0.0.1, plus
 * a small control server so the specs — which run in other processes — can read what it received
 * (`GET /calls`) and global teardown can stop it (`POST /close`). Test code only; never listens
 * beyond loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBotApi } from '../../../src/notify/fake-bot-api';

/** What a spec reads from `GET {controlUrl}/calls`: one entry per Bot API call, oldest first. */
export interface FakeTelegramCall {
  method: string;
  /** The bot id part of the token (the secret part is left out). */
  botId: string;
  chatId: string | null;
  /** sendMessage: the text as a reader sees it (null if Telegram would have refused it). */
  text: string | null;
  /** The HTTP status answered. */
  answer: number | string;
}

export interface FakeTelegram {
  /** What the server gets as TELEGRAM_API_BASE_URL. */
  apiBaseUrl: string;
  controlUrl: string;
}

function publicCalls(fake: FakeBotApi): FakeTelegramCall[] {
  return fake.calls.map((c) => ({
    method: c.method,
    botId: c.token.split(':')[0] ?? '',
    chatId: c.chatId,
    text: c.text,
    answer: c.answer,
  }));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const fake = await FakeBotApi.start();
  const control = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/calls') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ calls: publicCalls(fake) }));
      return;
    }
    if (req.method === 'POST' && req.url === '/close') {
      res.writeHead(204).end();
      control.closeAllConnections();
      control.close();
      void fake.close();
      return;
    }
    res.writeHead(404).end();
  });
  const port = await listen(control);
  return { apiBaseUrl: fake.baseUrl, controlUrl: `http://127.0.0.1:${port}` };
}

/** Stops the fake (from global teardown, which may run in another process than setup). */
export async function stopFakeTelegram(controlUrl: string): Promise<void> {
  try {
    await fetch(`${controlUrl}/close`, { method: 'POST' });
  } catch {
    // already gone with the process that started it
  }
}
