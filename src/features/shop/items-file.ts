/**
 * Shop items from a YAML file (`shop.itemsFile`), validated at start: a bad
 * file stops the process with `file:line: field: message` for each problem,
 * as a quiz bank's errors read. Pure: no I/O here except `loadItemsFile`
 * (test/unit/shop-items-file.test.ts).
 *
 *   # Keyed by community, as community.overrides: "<platform>:<id>".
 *   "discord:123456789012345678":
 *     - name: VIP 月卡              # required; the key the sync matches on (case and width folded)
 *       price: 500                  # required, 0–100000000 points
 *       kind: role                  # manual (default) | code | role (Discord only)
 *       role: "223344556677889900"  # kind: role: the role id (or <@&id>)
 *       days: 30                    # kind: role: days until the role is removed; without it, kept
 *       stock: 20                   # units; without it unlimited (not for code items: their stock is the pool)
 *       per_member: 1               # most units per member
 *       min_level: 2                # 1 = the first level
 *       starts: 2026-12-01 20:00    # the community's timezone, or with an offset (2026-12-01T20:00+08:00)
 *       ends: 2026-12-31 23:59
 *   "wecom:wrkSFfCgAA":
 *     - { name: 咖啡券, price: 50, kind: code }
 *
 * The same fields as `/shop add`; unknown fields are errors, so typos are
 * caught. Codes are still uploaded with `/shop codes`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DateTime } from 'luxon';
import { isScalar, visit, type Document } from 'yaml';
import { z } from 'zod';
import type { Platform } from '../../core/chat-event.js';
import { byLine, formatPath, locate, parseYaml, type Path } from '../../core/yaml-lines.js';
import { checkName, MAX_NAME_LENGTH, nameKey, parseRoleRef } from './rules.js';
import type { NewItem } from './repo.js';

/** One item as the file states it, resolved (times to instants, `minLevel` to its 0-based level index): a new item's fields without who, when and where. */
export type FileItem = Omit<NewItem, 'communityId' | 'createdBy' | 'at' | 'managedBy' | 'fileSpec'>;

export interface FileCommunity {
  platform: Platform;
  externalId: string;
  items: FileItem[];
}

export type ItemsFileResult = { ok: true; communities: FileCommunity[] } | { ok: false; errors: string[] };

/** Thrown at start for a bad items file: the message lists every error, `file:line: field: message`. */
export class ItemsFileError extends Error {
  constructor(readonly errors: string[]) {
    super(`the shop items file is invalid:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    this.name = 'ItemsFileError';
  }
}

const ITEM_FIELDS = ['name', 'price', 'kind', 'stock', 'per_member', 'min_level', 'starts', 'ends', 'role', 'days'] as const;
/** Scalars kept as written: a numeric role id would lose digits as a number, a name or time is text. */
const TEXT_FIELDS = new Set(['name', 'role', 'starts', 'ends']);

const intBetween = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
};
const text = (message: string) => z.string({ error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : message) });

const itemSchema = z.strictObject(
  {
    name: text('expected the item name (text)'),
    price: intBetween(0, 100_000_000),
    kind: z.enum(['manual', 'code', 'role'], { error: 'expected manual, code or role' }).default('manual'),
    stock: intBetween(0, 1_000_000).optional(),
    per_member: intBetween(0, 1000).optional(),
    min_level: intBetween(1, 100).optional(),
    starts: text('expected a date and time such as 2026-12-01 20:00').optional(),
    ends: text('expected a date and time such as 2026-12-01 20:00').optional(),
    role: text('expected a Discord role id or <@&id>').optional(),
    days: intBetween(1, 3650).optional(),
  },
  { error: (issue) => (issue.input === undefined || issue.input === null ? 'is required' : 'expected an item: a mapping with name and price') },
);

const COMMUNITY_KEY = /^(discord|wecom|playground):(.+)$/;

const fileSchema = z.record(
  z.string().regex(COMMUNITY_KEY),
  z.array(itemSchema, { error: 'expected a list of items' }),
  { error: 'expected a mapping of communities ("<platform>:<id>") to lists of items' },
);

const NAME_PROBLEMS = {
  empty: 'must not be empty',
  tooLong: `at most ${MAX_NAME_LENGTH} characters`,
  numeric: 'must not be just a number (numbers are read as item ids)',
  unsafe: 'must not contain control characters or any of < > * ` | [ ] @ \\',
} as const;

const WHEN = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A sale window's time as a file states it: a date and a 24-hour time, in the
 * community's timezone unless an offset is written. Relative forms (`+7d`)
 * mean nothing in a file that is read at every start, so they are refused.
 */
export function parseFileTime(raw: string, timezone: string): number | undefined {
  const m = WHEN.exec(raw.normalize('NFKC').trim());
  if (!m) return undefined;
  const [, date, hour, minute, second, offset] = m;
  const iso = `${date}T${(hour ?? '').padStart(2, '0')}:${minute}:${second ?? '00'}${offset ?? ''}`;
  const at = DateTime.fromISO(iso, { zone: timezone, setZone: false });
  return at.isValid ? at.toMillis() : undefined;
}

/** Parses and validates the file; `timezoneOf` gives a community's timezone by its key (`discord:123`). */
export function parseItemsFile(source: string, fileName: string, timezoneOf: (key: string) => string): ItemsFileResult {
  const parsed = parseYaml(source, fileName);
  if (!parsed.ok) return parsed;
  const { doc, lineCounter } = parsed;
  keepTextAsText(doc);
  const errors: Array<{ line: number; text: string }> = [];
  const at = (path: Path, message: string) => {
    const field = formatPath(path);
    errors.push({ line: lineCounter.linePos(locate(doc, path).offset).line, text: `${field === '' ? '' : `${field}: `}${message}` });
  };
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) at([...issue.path, key], `unknown field (expected one of ${ITEM_FIELDS.join(', ')})`);
      else if (issue.code === 'invalid_key') at(issue.path, 'expected a community key "<platform>:<id>" (discord, wecom or playground), as in community.overrides');
      else at(issue.path, issue.message);
    }
    return { ok: false, errors: byLine(fileName, errors) };
  }
  const communities: FileCommunity[] = [];
  for (const [key, items] of Object.entries(result.data)) {
    const [, platform, externalId] = COMMUNITY_KEY.exec(key) as RegExpExecArray;
    const timezone = timezoneOf(key);
    const seen = new Map<string, number>();
    const out: FileItem[] = [];
    items.forEach((item, i) => {
      const path = (field?: string): Path => (field === undefined ? [key, i] : [key, i, field]);
      const before = errors.length;
      const name = checkName(item.name);
      if (!name.ok) at(path('name'), NAME_PROBLEMS[name.problem]);
      const key_ = name.ok ? nameKey(name.name) : '';
      if (name.ok) {
        const first = seen.get(key_);
        if (first !== undefined) at(path('name'), `"${name.name}" is listed twice for this community (also item ${first + 1})`);
        else seen.set(key_, i);
      }
      if (item.kind === 'code' && item.stock !== undefined) at(path('stock'), 'a code item has no stock: its stock is its pool of codes (/shop codes)');
      let roleId: string | null = null;
      if (item.kind === 'role') {
        if (platform !== 'discord') at(path('kind'), 'role items need Discord roles (this community is not on Discord)');
        if (item.role === undefined) at(path(), 'a role item needs role: <role id>');
        else {
          roleId = parseRoleRef(item.role) ?? null;
          if (roleId === null) at(path('role'), 'expected a Discord role id or <@&id>');
        }
      } else {
        if (item.role !== undefined) at(path('role'), 'only for kind: role');
        if (item.days !== undefined) at(path('days'), 'only for kind: role');
      }
      const time = (field: 'starts' | 'ends'): number | null => {
        const value = item[field];
        if (value === undefined) return null;
        const ms = parseFileTime(value, timezone);
        if (ms === undefined) at(path(field), `expected a date and time such as 2026-12-01 20:00 (${timezone}) or 2026-12-01T20:00+08:00`);
        return ms ?? null;
      };
      const startsAt = time('starts');
      const endsAt = time('ends');
      if (startsAt !== null && endsAt !== null && startsAt >= endsAt) at(path('ends'), 'must be after starts');
      if (errors.length > before || !name.ok) return;
      out.push({
        name: name.name,
        nameKey: key_,
        price: item.price,
        kind: item.kind,
        stock: item.kind === 'code' ? null : (item.stock ?? null),
        perMember: item.per_member ? item.per_member : null,
        minLevel: (item.min_level ?? 1) - 1,
        startsAt,
        endsAt,
        roleId,
        roleDays: roleId === null ? null : (item.days ?? null),
      });
    });
    communities.push({ platform: platform as Platform, externalId: externalId as string, items: out });
  }
  if (errors.length > 0) return { ok: false, errors: byLine(fileName, errors) };
  return { ok: true, communities };
}

/** Reads and validates the file; throws ItemsFileError (every problem, with its line) when it is bad or unreadable. */
export function loadItemsFile(path: string, timezoneOf: (key: string) => string): FileCommunity[] {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ItemsFileError([`${path}: cannot read the shop items file (${(err as Error).message})`]);
  }
  const result = parseItemsFile(source, basename(path), timezoneOf);
  if (!result.ok) throw new ItemsFileError(result.errors);
  return result.communities;
}

function keepTextAsText(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !TEXT_FIELDS.has(String(pair.key.value))) return;
      const value = pair.value;
      if (isScalar(value) && typeof value.value !== 'string' && value.value !== null && value.source !== undefined) value.value = value.source;
    },
  });
}

/** The fields a sync compares (what the file states), as stored in `shop_items.file_spec`. */
export type FileSpec = Omit<FileItem, 'nameKey'>;

export function specOf(item: FileItem): FileSpec {
  const { nameKey: _key, ...spec } = item;
  return spec;
}
