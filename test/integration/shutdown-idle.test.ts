/**
 * Graceful shutdown with a connection that never sent a request (a browser's preconnect, a pooled
 * socket): closing the server ends such sockets instead of waiting for them, while a request in
 * flight is still answered.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await createTestApp('shutdown-idle');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

afterAll(async () => {
  await t?.close();
});

function openSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

it('closes without waiting for a socket that never sent a request', async () => {
  const silent = await openSocket();
  const ended = new Promise<void>((resolve) => silent.once('close', () => resolve()));
  // Let the server accept it before closing.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closing = t.app.close().then(() => 'closed' as const);
  const outcome = await Promise.race([
    closing,
    new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
  ]);
  silent.destroy();
  expect(outcome).toBe('closed');
  await ended;
});
