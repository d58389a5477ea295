/**
 * `npm start`: load configuration, open and migrate storage, seed a fresh install, serve, and shut
 * down gracefully on SIGTERM/SIGINT (in-flight postbacks finish and every pending write is flushed).
 */

import { createLoginLink } from './access/login-links.js';
import { bootstrapAdmin } from './access/users.js';
import { ConfigError, loadConfig } from './config.js';
import { createContext } from './context.js';
import { buildServer } from './server.js';
import { seedBuiltInSources } from './sources/source-service.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const ctx = await createContext(config, { runNotifier: true, runHousekeeping: true });
  const app = await buildServer(ctx);

  const seeded = await seedBuiltInSources(ctx.db);
  if (seeded.length > 0) {
    await ctx.sources.refresh();
    const lines = seeded.map(
      (s) => `  ${s.name.padEnd(10)} ${config.publicBaseUrl}/postback/${s.slug}?key=${s.secret_key}`,
    );
    // Printed once, on the first start: the keys are also listed by `npx affpanel source list`.
    process.stdout.write(
      `\nSources created for the built-in platforms (postback URL with key):\n${lines.join('\n')}\n\n`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests and flushing writes');
    const force = setTimeout(() => {
      app.log.error('shutdown took longer than 30 s, exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`S2S Galaxy is running on ${config.publicBaseUrl} (storage: ${ctx.db.dialect})\n`);

  // Until an admin has logged in once, each start prints a fresh single-use admin login link.
  const admin = await bootstrapAdmin(ctx.db);
  if (admin) {
    const token = await createLoginLink(ctx.db, Number(admin.id));
    process.stdout.write(
      `\nNo admin has logged in yet. One-time admin login link (valid 1 hour, single use):\n  ${config.publicBaseUrl}/auth/link/${token}\n` +
        'Later logins: Telegram (set TELEGRAM_LOGIN_BOT_TOKEN and TELEGRAM_LOGIN_BOT_NAME) or "npx affpanel user link <user>".\n\n',
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `AFFPanel failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
