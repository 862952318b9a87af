/**
 * The command registry: finds a command by name or alias and turns the text
 * form (`/points @bob`, `／签到`, `!leaderboard week`, bare `签到` when the bot
 * is addressed) or a structured slash call into a validated invocation.
 */
import { UserError } from '../errors.js';
import type { ArgSpec, CommandSpec, GroupCommand, LeafCommand } from './spec.js';
import { isGroup } from './spec.js';
import { Args, type ArgValue } from './args.js';
import type { MemberInfo } from '../context.js';
import { cleanName } from '../identity/sanitize.js';
import { localized, type Localized, type MessageParams } from '../i18n.js';
import { parseWhen, whenError } from '../time/when.js';

const PREFIXES = ['/', '／', '!', '！'];
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '「': '」', '‘': '’' };
const MAX_TEXT_ARG = 4000;

export interface Invocation {
  command: CommandSpec;
  leaf: LeafCommand;
  path: string[];
  /** Raw argument strings by name; validated by `resolveArgs`. */
  raw: Map<string, string>;
}

export type TextParse =
  | { kind: 'none' }
  | { kind: 'unknown'; name: string }
  | { kind: 'invalid'; error: UserError; command: CommandSpec }
  | { kind: 'command'; invocation: Invocation };

interface Token {
  value: string;
  start: number;
  end: number;
  quoted: boolean;
}

export class CommandRegistry {
  private readonly byName = new Map<string, CommandSpec>();
  /** Chinese shortcuts that jump straight to a subcommand ('参与抽奖' → lottery join). */
  private readonly shortcuts = new Map<string, { command: GroupCommand; leaf: LeafCommand }>();

  constructor(readonly commands: readonly CommandSpec[]) {
    for (const spec of commands) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) this.register(name, spec);
      if (isGroup(spec)) {
        for (const leaf of spec.subcommands) {
          for (const shortcut of leaf.shortcuts ?? []) this.addShortcut(shortcut, spec, leaf);
        }
      }
    }
  }

  private register(name: string, spec: CommandSpec): void {
    const key = normalizeName(name);
    const existing = this.byName.get(key);
    if (existing && existing !== spec) throw new Error(`command name ${name} used by ${existing.name} and ${spec.name}`);
    this.byName.set(key, spec);
  }

  private addShortcut(alias: string, command: GroupCommand, leaf: LeafCommand): void {
    const key = normalizeName(alias);
    if (this.byName.has(key) || this.shortcuts.has(key)) throw new Error(`command alias ${alias} used twice`);
    this.shortcuts.set(key, { command, leaf });
  }

  find(name: string): CommandSpec | undefined {
    return this.byName.get(normalizeName(name));
  }

  /** Parse a chat message. `addressed`: the bot was mentioned or this is a DM. */
  parseText(text: string, addressed: boolean): TextParse {
    const trimmed = text.trim();
    if (!trimmed) return { kind: 'none' };
    const prefixed = PREFIXES.some((p) => trimmed.startsWith(p));
    const body = prefixed ? trimmed.slice(1) : trimmed;
    const tokens = tokenize(body);
    const first = tokens[0];
    if (!first) return prefixed ? { kind: 'unknown', name: '' } : { kind: 'none' };

    const name = normalizeName(first.value);
    const shortcut = this.shortcuts.get(name);
    const command = this.byName.get(name);
    if (!command && !shortcut) {
      return prefixed ? { kind: 'unknown', name: first.value } : { kind: 'none' };
    }
    // Without a prefix only Chinese aliases count, and only when the bot is addressed,
    // so ordinary chat ("checkin later?") never triggers a command.
    if (!prefixed && (!addressed || !isBareShortcut(first.value))) return { kind: 'none' };

    try {
      if (shortcut) {
        return { kind: 'command', invocation: this.bind(shortcut.command, shortcut.leaf, body, tokens.slice(1)) };
      }
      const spec = command as CommandSpec;
      if (!isGroup(spec)) return { kind: 'command', invocation: this.bind(spec, spec, body, tokens.slice(1)) };
      const subToken = tokens[1];
      const sub = subToken ? findLeaf(spec, subToken.value) : undefined;
      if (sub) return { kind: 'command', invocation: this.bind(spec, sub, body, tokens.slice(2)) };
      const argumentLeaf = subToken && spec.argumentSubcommand ? findLeaf(spec, spec.argumentSubcommand) : undefined;
      if (argumentLeaf) return { kind: 'command', invocation: this.bind(spec, argumentLeaf, body, tokens.slice(1)) };
      if (subToken || !spec.defaultSubcommand) {
        throw new UserError('core.unknownSubcommand', { command: spec.name, sub: subToken?.value ?? '', subs: spec.subcommands.map((s) => s.name).join(' | ') });
      }
      const fallback = findLeaf(spec, spec.defaultSubcommand);
      if (!fallback) throw new Error(`default subcommand ${spec.defaultSubcommand} missing in ${spec.name}`);
      return { kind: 'command', invocation: this.bind(spec, fallback, body, []) };
    } catch (err) {
      if (err instanceof UserError) return { kind: 'invalid', error: err, command: (command ?? shortcut?.command) as CommandSpec };
      throw err;
    }
  }

  /** A structured call (Discord slash command): path and options by name. */
  fromStructured(path: readonly string[], options: Record<string, string | number | boolean>): Invocation | undefined {
    const [top, subName] = path;
    const command = top ? this.find(top) : undefined;
    if (!command) return undefined;
    let leaf: LeafCommand | undefined;
    if (isGroup(command)) {
      leaf = subName ? findLeaf(command, subName) : command.defaultSubcommand ? findLeaf(command, command.defaultSubcommand) : undefined;
    } else {
      leaf = command;
    }
    if (!leaf) return undefined;
    const raw = new Map<string, string>();
    for (const arg of leaf.args ?? []) {
      const v = options[arg.name];
      if (v !== undefined) raw.set(arg.name, String(v));
    }
    return { command, leaf, path: isGroup(command) ? [command.name, leaf.name] : [command.name], raw };
  }

  private bind(command: CommandSpec, leaf: LeafCommand, body: string, tokens: Token[]): Invocation {
    const specs = leaf.args ?? [];
    const raw = new Map<string, string>();
    const positional: Token[] = [];
    const namedSpans: Token[] = [];
    for (const token of tokens) {
      const eq = token.quoted ? -1 : token.value.indexOf('=');
      const named = eq > 0 ? specs.find((a) => a.named && a.name === token.value.slice(0, eq).toLowerCase()) : undefined;
      if (named) {
        raw.set(named.name, token.value.slice(eq + 1));
        namedSpans.push(token);
      } else positional.push(token);
    }
    const ordered = specs.filter((a) => !a.named);
    let i = 0;
    for (const spec of ordered) {
      const token = positional[i];
      if (!token) break;
      if (spec.type === 'text') {
        // The rest of the line, as typed (quotes kept unless the whole rest is one quoted token).
        const rest = i === positional.length - 1 && token.quoted ? token.value : withoutSpans(body, token.start, namedSpans).trim();
        raw.set(spec.name, rest);
        i = positional.length;
        break;
      }
      const time = spec.type === 'when' ? joinedTime(token, positional[i + 1]) : undefined;
      raw.set(spec.name, time ?? token.value);
      i += time ? 2 : 1;
    }
    if (i < positional.length) {
      throw new UserError('core.tooManyArgs', { usage: usage(command, leaf) });
    }
    return { command, leaf, path: isGroup(command) ? [command.name, leaf.name] : [command.name], raw };
  }
}

/** What converting arguments needs from the command's context. */
export interface ArgContext {
  /** Looks a member up in the caller's community (by mention, platform id or display name). */
  member(ref: string): Promise<MemberInfo | undefined>;
  /** The command's time and the community's timezone, for `when` arguments. */
  now: Date;
  timezone: string;
}

/** Check and convert raw argument strings. */
export async function resolveArgs(inv: Invocation, env: ArgContext): Promise<Args> {
  const values = new Map<string, ArgValue>();
  for (const spec of inv.leaf.args ?? []) {
    const raw = inv.raw.get(spec.name);
    if (raw === undefined || raw === '') {
      if (spec.required) throw new UserError('core.missingArg', { name: argName(spec), usage: usage(inv.command, inv.leaf) });
      continue;
    }
    // A member is looked up in the store; every other type converts from the text alone.
    values.set(spec.name, spec.type === 'member' ? await findMember(spec, raw, env) : convert(spec, raw, env));
  }
  return new Args(values);
}

async function findMember(spec: ArgSpec, raw: string, env: ArgContext): Promise<ArgValue> {
  const member = await env.member(raw);
  // The name is echoed back: without the characters that could disguise it.
  if (!member) throw new UserError('core.unknownMember', { value: cleanName(raw) });
  return member;
}

function convert(spec: ArgSpec, raw: string, env: ArgContext): ArgValue {
  switch (spec.type) {
    case 'int': {
      const parsed = parseInteger(raw);
      if (!parsed) throw new UserError('core.notAnInteger', { name: argName(spec), value: raw });
      const signed = spec.min === undefined || spec.min < 0;
      // '-5' where only positive numbers make sense reads best as out of range; '+5' has no such reading.
      if (parsed.sign === '+' && !signed) throw new UserError('core.noSign', { name: argName(spec), value: raw });
      const n = parsed.value;
      if ((parsed.sign === '-' && !signed) || !Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new UserError('core.outOfRange', { name: argName(spec), value: raw, min: spec.min ?? '-∞', max: spec.max ?? '∞' });
      }
      return n;
    }
    case 'choice': {
      const key = raw.normalize('NFKC').toLowerCase();
      const value = (spec.choices && Object.hasOwn(spec.choices, key) ? key : undefined) ?? spec.choiceAliases?.[key] ?? spec.choiceAliases?.[raw];
      if (!value) throw new UserError('core.badChoice', { name: argName(spec), value: raw, choices: joined(choiceLabels(spec), ' | ') });
      return value;
    }
    case 'member':
      throw new Error('member arguments are resolved by findMember');
    case 'when': {
      if (spec.clearable && CLEAR_WORDS.has(raw.normalize('NFKC').trim().toLowerCase())) return null;
      const parsed = parseWhen(raw, env.now, env.timezone);
      if (!parsed.ok) throw whenError(parsed.error, env.timezone, { name: argName(spec), label: argLabel(spec) });
      return parsed.at;
    }
    case 'word':
    case 'text':
      if (raw.length > MAX_TEXT_ARG) throw new UserError('core.argTooLong', { name: argName(spec), max: MAX_TEXT_ARG });
      return raw;
  }
}

/** What clears a `clearable` time argument. */
const CLEAR_WORDS = new Set(['none', '-', '无']);

/** ASCII or full-width digits; groups of three after the first, by ',' or '，'; no leading zeros. */
const INTEGER = /^([+-])?(0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)$/;

/**
 * An integer as people type it: `5`, `５`, `1,000`, `１，０００`, `-5`. Only
 * these: NFKC would also turn ⑤, ², 𝟓 into digits, and loose comma removal
 * would read `,,,7,,,` or `12,34` as numbers nobody meant.
 */
export function parseInteger(raw: string): { value: number; sign: '+' | '-' | undefined } | undefined {
  const folded = raw
    .trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/，/g, ',')
    .replace(/^[＋]/, '+')
    .replace(/^[－−]/, '-');
  const match = INTEGER.exec(folded);
  if (!match) return undefined;
  const sign = match[1] as '+' | '-' | undefined;
  const magnitude = Number((match[2] as string).replace(/,/g, ''));
  return { value: sign === '-' && magnitude !== 0 ? -magnitude : magnitude, sign };
}

/**
 * `/grant <member> <points> <reason>`, placeholders and choices in the
 * reader's language (`<成员>`, `本周|本月|总榜`): each argument's label is the
 * catalog key `arg.<name>`, each choice's the label key in its spec.
 */
export function usage(command: CommandSpec, leaf: LeafCommand): Localized {
  const parts = [`/${command.name}`];
  if (leaf !== command) parts.push(leaf.name);
  const params: MessageParams = {};
  (leaf.args ?? []).forEach((arg, i) => {
    params[`a${i}`] = argUsage(arg);
    parts.push(arg.required ? `{a${i}}` : `[{a${i}}]`);
  });
  return { template: parts.join(' '), params };
}

/** One argument as written in a usage line: `<成员>`, `本周|本月|总榜`, `winners=<人数>`. */
export function argUsage(arg: ArgSpec): Localized {
  const value = arg.type === 'choice' && arg.choices ? joined(choiceLabels(arg), '|') : localized('core.placeholder', { label: argLabel(arg) });
  return arg.named ? { template: `${arg.name}={value}`, params: { value } } : value;
}

/** An argument as named in errors: its label, and for `name=value` arguments the name one types. */
function argName(arg: ArgSpec): Localized {
  return arg.named ? localized('core.namedArg', { label: argLabel(arg), name: arg.name }) : argLabel(arg);
}

/** An argument's label alone, in the reader's language: `截止时间`. */
function argLabel(arg: ArgSpec): Localized {
  return localized(`arg.${arg.name}`);
}

function choiceLabels(arg: ArgSpec): Localized[] {
  return Object.values(arg.choices ?? {}).map((label) => localized(label));
}

function joined(items: readonly Localized[], separator: string): Localized {
  const params: MessageParams = {};
  items.forEach((item, i) => (params[`c${i}`] = item));
  return { template: items.map((_, i) => `{c${i}}`).join(separator), params };
}

/**
 * A `when` written as two words in the text form (`明天 21:30`,
 * `2026-12-01 20:00`, `tomorrow 9:00`): a day followed by a time of day.
 */
function joinedTime(day: Token, next: Token | undefined): string | undefined {
  if (!next || day.quoted || next.quoted || CLOCK.test(day.value) || !CLOCK.test(next.value)) return undefined;
  return `${day.value} ${next.value}`;
}

const CLOCK = /^[0-9０-９]{1,2}[:：][0-9０-９]{2}/;

/** The text from `start` to the end, without the named arguments written inside it. */
function withoutSpans(body: string, start: number, spans: readonly Token[]): string {
  let out = '';
  let cursor = start;
  for (const span of spans) {
    if (span.end <= cursor) continue;
    out = `${out}${body.slice(cursor, span.start)}`.trimEnd() + ' ';
    cursor = span.end;
    while (cursor < body.length && /\s/.test(body[cursor] as string)) cursor++;
  }
  return out + body.slice(cursor);
}

export function findLeaf(group: GroupCommand, name: string): LeafCommand | undefined {
  const key = normalizeName(name);
  return group.subcommands.find((s) => normalizeName(s.name) === key || (s.aliases ?? []).some((a) => normalizeName(a) === key));
}

/** Command names compare without case, with full-width letters folded. */
function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

/** Aliases written in CJK can be used without a prefix when the bot is addressed. */
function isBareShortcut(alias: string): boolean {
  return /[\u3400-\u9fff]/.test(alias);
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  while (i < input.length) {
    while (i < input.length && isSpace(input[i])) i++;
    if (i >= input.length) break;
    const start = i;
    const open = input[i] as string;
    const close = QUOTES[open];
    if (close) {
      const end = input.indexOf(close, i + 1);
      if (end > i) {
        tokens.push({ value: input.slice(i + 1, end), start, end: end + 1, quoted: true });
        i = end + 1;
        continue;
      }
    }
    while (i < input.length && !isSpace(input[i])) {
      // `key="two words"`: a quoted value after '=' belongs to the same token.
      const q = input[i] === '=' ? QUOTES[input[i + 1] as string] : undefined;
      if (q) {
        const end = input.indexOf(q, i + 2);
        if (end > i) {
          const value = input.slice(start, i + 1) + input.slice(i + 2, end);
          tokens.push({ value, start, end: end + 1, quoted: false });
          i = end + 1;
          break;
        }
      }
      i++;
    }
    if (tokens[tokens.length - 1]?.start === start) continue;
    tokens.push({ value: input.slice(start, i), start, end: i, quoted: false });
  }
  return tokens;
}
