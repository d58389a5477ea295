/**
 * `affpanel source add | list | rotate-key`: the sources postbacks and imports are recorded
 * against. Keys are printed here on purpose: this is how an admin without the web UI gets the
 * postback URL to give a network.
 */
import { CLI_ACTOR } from '../access/audit.js';
import { AppError } from '../errors.js';
import { createSource, listSources, postbackUrl, rotateSourceKey } from '../sources/source-service.js';
import { BUILT_IN_TEMPLATES, getTemplate } from '../sources/templates.js';
import { EXIT_OK, UsageError } from './errors.js';
import { duration, type Output, table, utc } from './output.js';
import { type ConfigLoader, defaultConfig, withContext } from './with-context.js';

export interface SourceAddOptions {
  slug: string;
  template: string;
  name?: string;
  auth?: string;
  allow?: string[];
  defaultCurrency?: string;
}

export interface SourceRotateOptions {
  slug: string;
}

function authMode(value: string | undefined): 'key' | 'hmac' {
  if (value === undefined || value === 'key' || value === 'hmac') return value ?? 'key';
  throw new UsageError(`--auth must be key or hmac, not "${value}"`);
}

export async function sourceAddCommand(
  options: SourceAddOptions,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  const auth = authMode(options.auth);
  if (!getTemplate(options.template)) {
    const ids = BUILT_IN_TEMPLATES.map((t) => t.id).join(', ');
    throw new UsageError(`unknown template "${options.template}" (templates: ${ids})`);
  }
  const currency = options.defaultCurrency?.trim().toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    throw new UsageError(
      `--default-currency must be a 3-letter ISO 4217 code like EUR, not "${options.defaultCurrency}"`,
    );
  }
  return withContext(getConfig, async (ctx) => {
    const input = {
      slug: options.slug,
      name: options.name,
      template: options.template,
      authMode: auth,
      ipAllowlist: options.allow ?? [],
      defaultCurrency: currency ?? null,
    };
    const row = await createSource(ctx.db, input, { actor: CLI_ACTOR }).catch((error: unknown) => {
      // The service's messages name the rule, not the argument: say which one broke it.
      if (error instanceof AppError && error.code === 'bad_request') {
        if (error.field === 'slug') throw new UsageError(`invalid slug "${options.slug}": ${error.message}`);
        if (error.field === 'name') throw new UsageError(`invalid --name: ${error.message}`);
      }
      throw error;
    });
    output.out(`Source "${row.slug}" created: ${row.name}, template ${row.template}, auth ${row.auth_mode}.`);
    output.out(`  Key:          ${row.secret_key}`);
    output.out(`  Postback URL: ${postbackUrl(ctx.config, row)}`);
    if (row.auth_mode === 'hmac') {
      output.out(
        '  Requests are signed with the key (headers x-affpanel-timestamp and x-affpanel-signature).',
      );
    }
    const allow = JSON.parse(row.ip_allowlist) as string[];
    if (allow.length > 0) output.out(`  Accepted from: ${allow.join(', ')}`);
    return EXIT_OK;
  });
}

export async function sourceListCommand(
  _options: Record<string, never>,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  return withContext(getConfig, async (ctx) => {
    const rows = await listSources(ctx.db);
    if (rows.length === 0) {
      output.out(
        'No sources yet. The server creates one per built-in platform on its first start; ' +
          'add others with "affpanel source add <slug> --template <id>".',
      );
      return EXIT_OK;
    }
    const lines = table(
      ['SLUG', 'NAME', 'TEMPLATE', 'ACTIVE', 'KEY', 'POSTBACK URL'],
      rows.map((r) => [
        r.slug,
        r.name,
        r.template,
        r.is_active === 1 ? 'yes' : 'no',
        r.secret_key,
        postbackUrl(ctx.config, r),
      ]),
    );
    for (const line of lines) output.out(line);
    return EXIT_OK;
  });
}

export async function sourceRotateKeyCommand(
  options: SourceRotateOptions,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  return withContext(getConfig, async (ctx) => {
    const grace = ctx.config.keyRotationGraceSeconds;
    const now = Date.now();
    const row = await rotateSourceKey(ctx.db, options.slug.trim().toLowerCase(), grace, now, CLI_ACTOR);
    output.out(`New key for "${row.slug}": ${row.secret_key}`);
    output.out(`  Postback URL: ${postbackUrl(ctx.config, row)}`);
    if (row.previous_key_expires_at !== null) {
      output.out(
        `  The old key keeps working until ${utc(row.previous_key_expires_at)} (${duration(grace)}); ` +
          'give the network the new URL before then.',
      );
      if (row.older_key_expires_at !== null)
        output.out(
          `  The key before it (an earlier rotation) keeps working until ${utc(row.older_key_expires_at)}.`,
        );
    } else {
      output.out('  The old key no longer works (KEY_ROTATION_GRACE_SECONDS is 0).');
    }
    return EXIT_OK;
  });
}
