/**
 * Button custom_ids carry the text command the button stands for, signed so
 * that a forged or stale id (another bot token, an old format) is refused.
 * Format: `q1.<sig>.<command>`, at most 100 characters (Discord's limit).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'q1';
const SIG_CHARS = 16; // base64url of HMAC-SHA256, truncated: 96 bits
export const CUSTOM_ID_MAX = 100;

export interface CustomIdSigner {
  /** The custom_id for a command, or undefined when it would not fit in 100 characters. */
  sign(command: string): string | undefined;
  /** The command a custom_id stands for, or undefined when it is not ours or not valid. */
  verify(customId: string): string | undefined;
}

/** The signing key is derived from the bot token, so no extra secret is needed and a new token invalidates old buttons. */
export function customIdSigner(botToken: string): CustomIdSigner {
  const key = createHmac('sha256', botToken).update('qunbot discord custom_id v1').digest();
  const mac = (command: string): string => createHmac('sha256', key).update(command, 'utf8').digest('base64url').slice(0, SIG_CHARS);
  return {
    sign(command) {
      const id = `${VERSION}.${mac(command)}.${command}`;
      return id.length <= CUSTOM_ID_MAX ? id : undefined;
    },
    verify(customId) {
      if (customId.length > CUSTOM_ID_MAX) return undefined;
      const [version, sig] = customId.split('.', 2);
      if (version !== VERSION || sig === undefined || sig.length !== SIG_CHARS) return undefined;
      const command = customId.slice(VERSION.length + SIG_CHARS + 2);
      if (!command) return undefined;
      const expected = Buffer.from(mac(command));
      const given = Buffer.from(sig);
      return given.length === expected.length && timingSafeEqual(given, expected) ? command : undefined;
    },
  };
}
