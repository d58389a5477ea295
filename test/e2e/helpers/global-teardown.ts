/** After the run: stop the server and the fake Telegram API global setup started; remove the database. */
import { rmSync } from 'node:fs';
import { stopFakeTelegram } from './fake-telegram';
import { e2eState } from './state';

export default async function globalTeardown(): Promise<void> {
  let state: ReturnType<typeof e2eState>;
  try {
    state = e2eState();
  } catch {
    return; // setup failed before starting anything
  }
  try {
    process.kill(state.serverPid, 'SIGTERM');
  } catch {
    // already gone
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await stopFakeTelegram(state.telegram.controlUrl);
  if (process.env.E2E_KEEP !== '1') rmSync(state.workDir, { recursive: true, force: true });
}
