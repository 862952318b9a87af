/**
 * Why a WeCom callback or payload was refused.
 *
 * - `bad-request`: the query string lacks `msg_signature`, `timestamp` or `nonce` (or `echostr`), or one is
 *   malformed (a nonce over 128 characters or not printable ASCII could not be echoed in the reply).
 * - `bad-signature`: `msg_signature` does not match sha1(sort(token, timestamp, nonce, encrypt)).
 * - `stale-timestamp`: the timestamp is malformed or too far from the server clock (replay guard).
 * - `bad-ciphertext`: not base64, wrong length, bad PKCS#7 padding, bad length prefix or not UTF-8.
 * - `bad-receive-id`: it decrypted, but the trailing receive id is not ours (corp id, or "" for the bot).
 * - `bad-payload`: the plaintext (or an unencrypted envelope) is not the JSON/XML we expect.
 */
export type WecomProtocolErrorReason =
  | 'bad-request'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'bad-ciphertext'
  | 'bad-receive-id'
  | 'bad-payload';

/**
 * A refused WeCom callback. The message is safe to log: it never contains the
 * token, the EncodingAESKey or decrypted content.
 */
export class WecomProtocolError extends Error {
  constructor(
    readonly reason: WecomProtocolErrorReason,
    message: string = reason,
  ) {
    super(message);
    this.name = 'WecomProtocolError';
  }
}

export function isWecomProtocolError(error: unknown, reason?: WecomProtocolErrorReason): error is WecomProtocolError {
  return error instanceof WecomProtocolError && (reason === undefined || error.reason === reason);
}
