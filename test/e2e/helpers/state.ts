/**
 * What global setup hands to the tests: the server's address, its database, the saved browser
 * sessions of an admin, a viewer and a pending person, and the fake Telegram Bot API the server
 * sends bot messages to. Kept in one file in a fixed temporary folder (E2E_STATE_DIR to move it).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STATE_DIR = process.env.E2E_STATE_DIR ?? join(tmpdir(), 'affpanel-e2e');
export const STATE_FILE = join(STATE_DIR, 'state.json');

export interface E2EState {
  baseURL: string;
  databaseUrl: string;
  serverPid: number;
  workDir: string;
  botToken: string;
  /** Playwright storage-state files. */
  sessions: { admin: string; viewer: string; pending: string };
  /** A source slug and key to post test events with. */
  postback: { slug: string; key: string };
  /**
   * The fake Telegram Bot API (TELEGRAM_API_BASE_URL of the server): `GET {controlUrl}/calls`
   * lists every call it received (see helpers/fake-telegram.ts).
   */
  telegram: { apiBaseUrl: string; controlUrl: string };
}

let cached: E2EState | null = null;

export function e2eState(): E2EState {
  cached ??= JSON.parse(readFileSync(STATE_FILE, 'utf8')) as E2EState;
  return cached;
}

export const storageOf = (who: keyof E2EState['sessions']) => join(STATE_DIR, `${who}.json`);
