/**
 * Random secrets and their stored form. A secret (session id, login link, API token) is shown
 * once; only its SHA-256 is stored, so a database leak reveals no usable credential.
 */
import { createHash, randomBytes } from 'node:crypto';

/** 256 bits of randomness, URL-safe. */
export function randomSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
