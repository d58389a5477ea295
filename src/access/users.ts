/**
 * People who may use the panel: Telegram identities with a role (admin, viewer), an approval
 * status (pending, approved, rejected) and an active flag. Every change is audited and ends the
 * user's sessions, and the last active admin can never be removed, demoted or locked out.
 */
import { z } from 'zod';
import type { Db } from '../db/connect.js';
import { lockInvariant } from '../db/dialect.js';
import type { Role, UserRow, UserStatus } from '../db/schema.js';
import { AppError } from '../errors.js';
import { type Actor, recordAudit } from './audit.js';
import { endUserSessions } from './sessions.js';
import type { TelegramIdentity } from './telegram-login.js';

const name = z.string().trim().max(64);

export const userInputSchema = z.object({
  telegramId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'a Telegram ID is a number'),
  firstName: name.default(''),
  lastName: name.default(''),
  username: z
    .string()
    .trim()
    .regex(/^@?\w{0,64}$/, 'letters, digits and _ only')
    .transform((u) => u.replace(/^@/, ''))
    .optional(),
  role: z.enum(['admin', 'viewer']).default('viewer'),
  status: z.enum(['pending', 'approved', 'rejected']).default('approved'),
});

export const userPatchSchema = z
  .object({
    firstName: name,
    lastName: name,
    role: z.enum(['admin', 'viewer']),
    status: z.enum(['pending', 'approved', 'rejected']),
    isActive: z.boolean(),
  })
  .partial();

export interface PublicUser {
  id: number;
  telegramId: string | null;
  firstName: string;
  lastName: string;
  username: string | null;
  photoUrl: string | null;
  role: Role;
  status: UserStatus;
  isActive: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export function publicUser(row: UserRow): PublicUser {
  return {
    id: Number(row.id),
    telegramId: row.telegram_id,
    firstName: row.first_name,
    lastName: row.last_name,
    username: row.username,
    photoUrl: row.photo_url,
    role: row.role,
    status: row.status,
    isActive: row.is_active === 1,
    createdAt: new Date(row.created_at).toISOString(),
    lastLoginAt: row.last_login_at === null ? null : new Date(row.last_login_at).toISOString(),
  };
}

/** How an actor is named in the audit log. */
export function actorLabel(user: Pick<UserRow, 'id' | 'username' | 'telegram_id'>): string {
  if (user.username) return `@${user.username}`;
  if (user.telegram_id) return `tg:${user.telegram_id}`;
  return `user:${user.id}`;
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('bad_request', issue?.message ?? 'invalid input', {
      field: issue?.path.join('.') || undefined,
    });
  }
  return parsed.data;
}

export async function getUser(db: Db, id: number): Promise<UserRow> {
  const user = await db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!user) throw new AppError('not_found', `no user ${id}`);
  return user;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.kysely.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function addUser(db: Db, input: unknown, actor: Actor, now = Date.now()): Promise<UserRow> {
  const u = parseOrThrow(userInputSchema, input);
  const exists = await db.kysely
    .selectFrom('users')
    .select('id')
    .where('telegram_id', '=', u.telegramId)
    .executeTakeFirst();
  if (exists)
    throw new AppError('conflict', `a user with Telegram ID ${u.telegramId} exists`, { field: 'telegramId' });
  const user = await db.kysely
    .insertInto('users')
    .values({
      telegram_id: u.telegramId,
      first_name: u.firstName,
      last_name: u.lastName,
      username: u.username || null,
      photo_url: null,
      role: u.role,
      status: u.status,
      is_active: 1,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(
    db.kysely,
    actor,
    { action: 'user.add', targetType: 'user', targetId: user.id, after: publicUser(user) },
    now,
  );
  return user;
}

/** Approved, active admins other than `exceptId`. */
async function otherActiveAdmins(db: Db, exceptId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('status', '=', 'approved')
    .where('is_active', '=', 1)
    .where('id', '!=', exceptId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function isActiveAdmin(user: Pick<UserRow, 'role' | 'status' | 'is_active'>): boolean {
  return user.role === 'admin' && user.status === 'approved' && user.is_active === 1;
}

/** Runs `work` in a transaction that holds the admins lock, so "the last admin" checks cannot race. */
async function withAdminsLock<T>(db: Db, work: (tdb: Db) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockInvariant(trx, db.dialect, 'admins');
    return work({ ...db, kysely: trx });
  });
}

export async function updateUser(
  db: Db,
  id: number,
  input: unknown,
  actor: Actor,
  now = Date.now(),
): Promise<UserRow> {
  const patch = parseOrThrow(userPatchSchema, input);
  return withAdminsLock(db, async (tdb) => {
    const before = await getUser(tdb, id);
    const next = {
      first_name: patch.firstName ?? before.first_name,
      last_name: patch.lastName ?? before.last_name,
      role: patch.role ?? before.role,
      status: patch.status ?? before.status,
      is_active: patch.isActive === undefined ? before.is_active : patch.isActive ? 1 : 0,
    };
    if (isActiveAdmin(before) && !isActiveAdmin(next) && (await otherActiveAdmins(tdb, id)) === 0) {
      throw new AppError('conflict', 'this is the last active admin: make another admin first');
    }
    const after = await tdb.kysely
      .updateTable('users')
      .set({ ...next, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const accessChanged =
      next.role !== before.role || next.status !== before.status || next.is_active !== before.is_active;
    if (accessChanged) await endUserSessions(tdb, id);
    await recordAudit(
      tdb.kysely,
      actor,
      {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        before: publicUser(before),
        after: publicUser(after),
      },
      now,
    );
    return after;
  });
}

export async function endSessionsOf(db: Db, id: number, actor: Actor): Promise<number> {
  const user = await getUser(db, id);
  const ended = await endUserSessions(db, id);
  await recordAudit(db.kysely, actor, {
    action: 'user.end_sessions',
    targetType: 'user',
    targetId: user.id,
    after: { ended },
  });
  return ended;
}

export async function deleteUser(db: Db, id: number, actor: Actor): Promise<void> {
  await withAdminsLock(db, async (tdb) => {
    const before = await getUser(tdb, id);
    if (isActiveAdmin(before) && (await otherActiveAdmins(tdb, id)) === 0) {
      throw new AppError('conflict', 'this is the last active admin: make another admin first');
    }
    await endUserSessions(tdb, id);
    await tdb.kysely.deleteFrom('login_links').where('user_id', '=', id).execute();
    await tdb.kysely.deleteFrom('users').where('id', '=', id).execute();
    await recordAudit(tdb.kysely, actor, {
      action: 'user.delete',
      targetType: 'user',
      targetId: id,
      before: publicUser(before),
    });
  });
}

/**
 * The user a verified Telegram login belongs to: an existing one (names refreshed), or a new
 * PENDING viewer who waits for an admin's approval.
 */
export async function userForTelegramLogin(
  db: Db,
  identity: TelegramIdentity,
  now = Date.now(),
): Promise<UserRow> {
  const existing = await db.kysely
    .selectFrom('users')
    .selectAll()
    .where('telegram_id', '=', identity.telegramId)
    .executeTakeFirst();
  if (existing) {
    return db.kysely
      .updateTable('users')
      .set({
        first_name: identity.firstName || existing.first_name,
        last_name: identity.lastName || existing.last_name,
        username: identity.username ?? existing.username,
        photo_url: identity.photoUrl ?? existing.photo_url,
        updated_at: now,
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const user = await db.kysely
    .insertInto('users')
    .values({
      telegram_id: identity.telegramId,
      first_name: identity.firstName,
      last_name: identity.lastName,
      username: identity.username,
      photo_url: identity.photoUrl,
      role: 'viewer',
      status: 'pending',
      is_active: 1,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(
    db.kysely,
    { userId: Number(user.id), label: actorLabel(user), ip: null },
    { action: 'user.register', targetType: 'user', targetId: user.id, after: publicUser(user) },
    now,
  );
  return user;
}

/**
 * On a fresh install (no admin has ever logged in) there is a bootstrap admin to log in as with a
 * one-time link. Returns that user, or null when an admin has logged in before.
 */
export async function bootstrapAdmin(db: Db, now = Date.now()): Promise<UserRow | null> {
  const loggedIn = await db.kysely
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('last_login_at', 'is not', null)
    .executeTakeFirst();
  if (loggedIn) return null;
  const existing = await db.kysely
    .selectFrom('users')
    .selectAll()
    .where('role', '=', 'admin')
    .where('status', '=', 'approved')
    .where('is_active', '=', 1)
    .orderBy('id')
    .executeTakeFirst();
  if (existing) return existing;
  return db.kysely
    .insertInto('users')
    .values({
      telegram_id: null,
      first_name: 'Admin',
      last_name: '',
      username: null,
      photo_url: null,
      role: 'admin',
      status: 'approved',
      is_active: 1,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
