/**
 * The process entry: load and validate config, build the app, start it,
 * and shut down cleanly on SIGINT/SIGTERM.
 */
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './logging.js';
import { platformAdapters } from './platforms/index.js';
import { ItemsFileError } from './features/shop/index.js';

async function main(): Promise<void> {
  let appConfig;
  try {
    appConfig = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`qunbot: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(appConfig.config.log.level);
  const roleArg = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length) ?? 'all';
  if (roleArg !== 'all' && roleArg !== 'worker' && roleArg !== 'gateway') {
    process.stderr.write(`qunbot: --role must be all, worker or gateway (got ${roleArg})\n`);
    process.exit(2);
  }
  let app;
  try {
    app = await createApp({ appConfig, logger, role: roleArg, adapters: platformAdapters(appConfig) });
  } catch (err) {
    // A bad shop items file refuses to start, naming each problem's file and line.
    if (err instanceof ItemsFileError) {
      process.stderr.write(`qunbot: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const deadlineMs = appConfig.config.shutdown.timeoutMs;
    logger.info({ signal, deadlineMs }, 'shutting down');
    try {
      const { unclosed } = await app.stop({ deadlineMs });
      if (unclosed.length > 0) {
        logger.error({ unclosed, deadlineMs }, `shutdown deadline passed; not closed: ${unclosed.join(', ')}`);
        process.exit(1);
      }
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`qunbot: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
