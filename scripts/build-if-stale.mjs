// `npm start` runs this first: it compiles (incrementally) only when a source file
// is newer than the last build, so a start with nothing changed takes no compile.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist/.tsbuildinfo');

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const sources = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(root, p));
const built = existsSync(stamp) && existsSync(join(root, 'dist/src/main.js')) ? statSync(stamp).mtimeMs : 0;
if (sources.some((p) => newest(p) > built)) {
  process.stdout.write('qunbot: compiling (sources changed since the last build)…\n');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // tsc leaves its build info untouched when no output changed: mark this build as the latest.
  const now = new Date();
  utimesSync(stamp, now, now);
}
