/**
 * pino, JSON in production and pretty in a terminal, with secrets redacted
 * wherever they appear in structured fields.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'token', 'secret', 'aesKey', 'encodingAesKey', 'password', 'authorization', 'key',
  '*.token', '*.secret', '*.aesKey', '*.encodingAesKey', '*.password', '*.authorization', '*.key',
  'headers.authorization', 'req.headers.authorization', 'query.key', 'config.secrets',
];

export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    base: { app: 'qunbot' },
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' } } } : {}),
  });
}
