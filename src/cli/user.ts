/**
 * `affpanel user add | list | link`: people from the shell, for installs without a Telegram bot
 * yet or to recover access. `user link` prints a one-time login link (1 h) for a user.
 */
import { CLI_ACTOR } from '../access/audit.js';
import { createLoginLink } from '../access/login-links.js';
import { addUser, listUsers } from '../access/users.js';
import { AppError } from '../errors.js';
import { EXIT_OK, UsageError } from './errors.js';
import { type Output, table, utc } from './output.js';
import { type ConfigLoader, defaultConfig, withContext } from './with-context.js';

export interface UserAddOptions {
  telegramId: string;
  role?: string;
  firstName?: string;
  lastName?: string;
  username?: string;
}

export async function userAddCommand(
  options: UserAddOptions,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  const role = options.role ?? 'viewer';
  if (role !== 'admin' && role !== 'viewer')
    throw new UsageError(`--role must be admin or viewer, not "${role}"`);
  return withContext(getConfig, async (ctx) => {
    const user = await addUser(
      ctx.db,
      {
        telegramId: options.telegramId,
        firstName: options.firstName ?? '',
        lastName: options.lastName ?? '',
        username: options.username,
        role,
        status: 'approved',
      },
      CLI_ACTOR,
    ).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'bad_request') {
        throw new UsageError(`invalid ${error.field ?? 'input'}: ${error.message}`);
      }
      throw error;
    });
    output.out(`User ${user.id} added: Telegram ID ${user.telegram_id}, ${user.role}, approved.`);
    output.out('They can log in with Telegram now, or with a link from "affpanel user link".');
    return EXIT_OK;
  });
}

export async function userListCommand(
  _options: Record<string, never>,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  return withContext(getConfig, async (ctx) => {
    const users = await listUsers(ctx.db);
    const lines = table(
      ['ID', 'TELEGRAM ID', 'NAME', 'USERNAME', 'ROLE', 'STATUS', 'ACTIVE', 'LAST LOGIN'],
      users.map((u) => [
        String(u.id),
        u.telegram_id ?? '—',
        `${u.first_name} ${u.last_name}`.trim() || '—',
        u.username ? `@${u.username}` : '—',
        u.role,
        u.status,
        u.is_active === 1 ? 'yes' : 'no',
        u.last_login_at === null ? 'never' : utc(u.last_login_at),
      ]),
    );
    for (const line of lines) output.out(line);
    return EXIT_OK;
  });
}

export async function userLinkCommand(
  options: { user: string },
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  return withContext(getConfig, async (ctx) => {
    const key = options.user.trim();
    const query = ctx.db.kysely.selectFrom('users').selectAll();
    const user = /^\d+$/.test(key)
      ? await query
          .where((eb) => eb.or([eb('id', '=', Number(key)), eb('telegram_id', '=', key)]))
          .executeTakeFirst()
      : await query.where('username', '=', key.replace(/^@/, '')).executeTakeFirst();
    if (!user) throw new AppError('not_found', `no user "${key}" (give an id, a Telegram ID or @username)`);
    if (user.is_active !== 1 || user.status !== 'approved') {
      throw new AppError(
        'conflict',
        `user ${user.id} is ${user.is_active !== 1 ? 'deactivated' : user.status}: approve them first`,
      );
    }
    const token = await createLoginLink(ctx.db, Number(user.id));
    output.out(`One-time login link for user ${user.id} (valid 1 hour, single use):`);
    output.out(`  ${ctx.config.publicBaseUrl}/auth/link/${token}`);
    return EXIT_OK;
  });
}
