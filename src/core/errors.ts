import type { MessageKey, MessageParams } from './i18n.js';

/**
 * An expected refusal (not enough points, already checked in, not an admin).
 * It carries a catalog key so the reply is in the community's language; the
 * router turns it into a reply and rolls back whatever the command wrote.
 */
export class UserError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: MessageParams = {},
  ) {
    super(key);
    this.name = 'UserError';
  }
}
