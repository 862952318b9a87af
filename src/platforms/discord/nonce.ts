/**
 * Exactly-once outbox posts on Discord. The outbox delivers at least once: a
 * crash between a successful send and its "sent" mark, or a request that
 * timed out after Discord had already posted, sends the same delivery again.
 * Create Message takes a `nonce` (an integer or a string of up to 25
 * characters) and, with `enforce_nonce: true`, answers a second create with
 * the same nonce from the same author within "the past few minutes" (Discord
 * does not publish the window) with the message created first, posting
 * nothing new. A message that was created with the nonce and deleted since is
 * not posted again either: Discord answers 10008 Unknown Message.
 *
 * The nonce is the outbox delivery id, which is unique only in one database:
 * two deployments (staging and production, say) running one bot account both
 * have a delivery 5, and the same author is all Discord compares. So the
 * nonce starts with a short hash of the deployment's instance id (created in
 * its database on first start; see src/app.ts).
 */
import { createHash } from 'node:crypto';

/** Discord's limit for a string nonce. */
export const NONCE_MAX_LENGTH = 25;

/** A channel post, or the direct message of a delivery (whose fallback is a channel post of the same delivery). */
export type NonceKind = 'channel' | 'direct';

/** Eight hex characters of the deployment's instance id. */
export function deploymentTag(instanceId: string): string {
  return createHash('sha256').update(`qunbot-discord-nonce:${instanceId}`).digest('hex').slice(0, 8);
}

/**
 * The nonce of one outbox delivery: `<tag><c|d><delivery id>`, at most 25
 * characters for any delivery id up to Number.MAX_SAFE_INTEGER (16 digits).
 */
export function deliveryNonce(tag: string, kind: NonceKind, deliveryId: number): string {
  if (!Number.isSafeInteger(deliveryId) || deliveryId < 0) throw new RangeError(`not a delivery id: ${deliveryId}`);
  const nonce = `${tag}${kind === 'channel' ? 'c' : 'd'}${deliveryId}`;
  if (nonce.length > NONCE_MAX_LENGTH) throw new RangeError(`nonce ${nonce} is longer than ${NONCE_MAX_LENGTH} characters`);
  return nonce;
}

/**
 * A native poll's nonce: `<tag>p<ref>`, the ref being the poll's id in its
 * database (so a repeated post of one poll returns its first message).
 */
export function pollNonce(tag: string, ref: string): string {
  const nonce = `${tag}p${ref}`;
  if (!/^\d+$/.test(ref) || nonce.length > NONCE_MAX_LENGTH) throw new RangeError(`not a poll ref: ${ref}`);
  return nonce;
}
