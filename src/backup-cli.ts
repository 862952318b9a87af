/**
 * `npm run backup -- <file> [--force]`: online backup of the database at
 * DATABASE_PATH (config database.path) while the bot runs.
 * `npm run restore -- <file>`: replaces that database with a backup; the bot
 * must be stopped. Both print what they did; any error exits with status 1
 * and changes nothing. The logic is in src/ops/backup.ts.
 */
import { basename } from 'node:path';
import { loadConfig } from './config/load.js';
import { BackupError, backupDatabase, restoreDatabase } from './ops/backup.js';

const USAGE = {
  backup: 'usage: npm run backup -- <backup-file> [--force]',
  restore: 'usage: npm run restore -- <backup-file>',
} as const;

export async function runBackupCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const [mode, ...rest] = argv;
  if (mode !== 'backup' && mode !== 'restore') {
    err(`${USAGE.backup}\n${USAGE.restore}`);
    return 1;
  }
  const allowed = mode === 'backup' ? ['--force'] : [];
  const flags = rest.filter((a) => a.startsWith('--'));
  const files = rest.filter((a) => !a.startsWith('--'));
  if (files.length !== 1 || flags.some((f) => !allowed.includes(f))) {
    err(USAGE[mode]);
    return 1;
  }
  const file = files[0] as string;
  try {
    const database = loadConfig(env).config.database.path;
    if (mode === 'backup') {
      const r = await backupDatabase(database, file, { force: flags.includes('--force') });
      out(`Backed up ${r.source} → ${r.target}: ${r.bytes} bytes, ${r.pages} pages, ${r.migrations} migrations, integrity ok (${r.ms} ms).`);
    } else {
      const r = restoreDatabase(file, database);
      if (r.removed.length > 0) out(`Removed stale ${r.removed.join(', ')}.`);
      out(`Restored ${r.backup} → ${r.target}${r.replaced ? ' (replaced the previous database)' : ''}: ${r.bytes} bytes, ${r.migrations} migrations, integrity ok.`);
      out('Start the bot to use it (newer migrations, if any, are applied at start).');
    }
    return 0;
  } catch (e) {
    err(e instanceof BackupError ? `${mode}: ${e.message}` : `${mode} failed: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && basename(process.argv[1]).startsWith('backup-cli')) {
  process.exitCode = await runBackupCli(process.argv.slice(2));
}
