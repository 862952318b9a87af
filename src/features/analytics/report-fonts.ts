/**
 * CJK text for server-rendered charts without system fonts: the bundled Noto
 * Sans SC (@fontsource/noto-sans-sc, OFL) comes as WOFF chunks split by
 * unicode range; resvg reads TrueType/OpenType files, not WOFF. This module
 * reads the chunks' ranges from the package's CSS, converts the chunks a text
 * needs into plain sfnt files (WOFF 1.0 is an sfnt whose tables are each
 * zlib-compressed) in a cache folder, once, and returns their paths.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';

export const REPORT_FONT_FAMILY = 'Noto Sans SC';

/** WOFF 1.0 → sfnt (TTF/OTF bytes). Throws on anything that is not WOFF 1.0. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.length < 44 || woff.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF 1.0 file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: Array<{ tag: number; checksum: number; data: Buffer }> = [];
  for (let i = 0; i < numTables; i++) {
    const at = 44 + i * 20;
    const tag = woff.readUInt32BE(at);
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const checksum = woff.readUInt32BE(at + 16);
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : Buffer.from(raw);
    if (data.length !== origLength) throw new Error('a WOFF table has the wrong length');
    tables.push({ tag, checksum, data });
  }
  let entrySelector = 0;
  while (1 << (entrySelector + 1) <= numTables) entrySelector++;
  const searchRange = (1 << entrySelector) * 16;
  const headerLength = 12 + numTables * 16;
  const padded = (n: number): number => (n + 3) & ~3;
  const total = tables.reduce((n, t) => n + padded(t.data.length), headerLength);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerLength;
  // The directory stays sorted by tag, as WOFF stores it.
  tables.forEach((t, i) => {
    const at = 12 + i * 16;
    out.writeUInt32BE(t.tag, at);
    out.writeUInt32BE(t.checksum, at + 4);
    out.writeUInt32BE(offset, at + 8);
    out.writeUInt32BE(t.data.length, at + 12);
    t.data.copy(out, offset);
    offset += padded(t.data.length);
  });
  return out;
}

interface FontChunk {
  /** The WOFF file name in the package's files folder. */
  file: string;
  ranges: Array<[number, number]>;
}

/** The chunks of one weight, from the package's CSS (`src: url(./files/….woff2) …, url(./files/….woff)` and `unicode-range`). */
export function parseChunks(css: string): FontChunk[] {
  const chunks: FontChunk[] = [];
  for (const block of css.split('@font-face').slice(1)) {
    const file = /url\(\.\/files\/([^)]+\.woff)\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(block)?.[1];
    if (!file || !range) continue;
    const ranges = range.split(',').map((r): [number, number] => {
      const [a, b] = r.trim().replace(/^U\+/i, '').split('-');
      const from = parseInt(a ?? '', 16);
      return [from, b === undefined ? from : parseInt(b, 16)];
    });
    chunks.push({ file, ranges });
  }
  return chunks;
}

export interface ReportFonts {
  /** Paths of converted font files covering every character of `text` the font has. */
  filesFor(text: string): string[];
}

/**
 * The font chunks of Noto Sans SC (regular) as sfnt files under `cacheDir`,
 * converted on first need (written to a temporary name, then renamed, so two
 * processes never read a half-written file).
 */
export function createReportFonts(cacheDir: string): ReportFonts {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('@fontsource/noto-sans-sc/package.json'));
  const chunks = parseChunks(readFileSync(join(pkg, '400.css'), 'utf8'));
  const ready = new Map<string, string>();
  const pathOf = (chunk: FontChunk): string => {
    const known = ready.get(chunk.file);
    if (known) return known;
    const target = join(cacheDir, chunk.file.replace(/\.woff$/, '.ttf'));
    if (!existsSync(target)) {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, woffToSfnt(readFileSync(join(pkg, 'files', chunk.file))));
      renameSync(tmp, target);
    }
    ready.set(chunk.file, target);
    return target;
  };
  return {
    filesFor(text) {
      const codes = new Set<number>();
      for (const ch of text) codes.add(ch.codePointAt(0) ?? 0);
      // Digits and Latin letters always: axis labels are mostly numbers.
      for (let c = 0x20; c < 0x7f; c++) codes.add(c);
      const files: string[] = [];
      for (const chunk of chunks) {
        if ([...codes].some((c) => chunk.ranges.some(([a, b]) => c >= a && c <= b))) files.push(pathOf(chunk));
      }
      return files;
    },
  };
}
