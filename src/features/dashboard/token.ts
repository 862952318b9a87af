/**
 * Dashboard links and sessions: signed, not stored. A token is
 * `<kind>.<scope>.<expiry>.<mac>`: kind `l` (a login link) or `s` (a session
 * cookie), scope a community id or `all` (an operator), expiry in epoch
 * milliseconds (base 36), mac HMAC-SHA256 of the rest under the deployment's
 * dashboard key (base64url).
 *
 * Why signed rather than stored hashed in a table: issuing a link and opening
 * a page write nothing, every process on the deployment's database verifies
 * with the same key (it is kept in the settings table, or derived from
 * DASHBOARD_TOKEN), and expired links need no cleanup. The price: one link
 * cannot be revoked before it expires; links live minutes, and changing the
 * key (deleting the setting, or a new DASHBOARD_TOKEN) revokes every link
 * and session at once. The kind is signed too, so a link is never a session.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type DashboardScope = { all: true } | { all: false; communityId: number };
export type TokenKind = 'link' | 'session';

const PREFIX: Record<TokenKind, string> = { link: 'l', session: 's' };

function mac(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function signToken(key: Uint8Array, kind: TokenKind, scope: DashboardScope, expiresAt: number): string {
  const body = `${PREFIX[kind]}.${scope.all ? 'all' : String(scope.communityId)}.${Math.floor(expiresAt).toString(36)}`;
  return `${body}.${mac(key, body)}`;
}

/** The scope of a well-signed token of that kind that has not expired at `now`; undefined otherwise. */
export function verifyToken(key: Uint8Array, kind: TokenKind, token: string, now: number): DashboardScope | undefined {
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [prefix, scope, expiry, given] = parts as [string, string, string, string];
  if (prefix !== PREFIX[kind] || !/^(all|[1-9]\d{0,15})$/.test(scope) || !/^[0-9a-z]{1,12}$/.test(expiry)) return undefined;
  const expected = Buffer.from(mac(key, `${prefix}.${scope}.${expiry}`));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  if (Number.parseInt(expiry, 36) <= now) return undefined;
  return scope === 'all' ? { all: true } : { all: false, communityId: Number(scope) };
}

export function covers(scope: DashboardScope, communityId: number): boolean {
  return scope.all || scope.communityId === communityId;
}
