/**
 * Clean Chinese sentences available offline: Debian's `fortunes-zh`
 * (`.ci/run` installs it). The word filter's false-positive test and the
 * moderation benchmark's natural-text row read it; both skip without it.
 */
import { existsSync, readFileSync } from 'node:fs';

const CORPUS_DIR = '/usr/share/games/fortunes';
const FILES = ['chinese', 'tang300', 'song100'];
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Sentences of at least four Chinese characters, in file order; empty when the package is not installed. */
export function fortuneSentences(): string[] {
  return FILES.map((f) => `${CORPUS_DIR}/${f}`)
    .filter((f) => existsSync(f))
    .flatMap((f) => readFileSync(f, 'utf8').replace(ANSI, '').split(/[。！？!?\n%]+/))
    .map((s) => s.trim())
    .filter((s) => (s.match(/[\u4e00-\u9fff]/g) ?? []).length >= 4);
}
