/**
 * Command declarations. One registry of these drives text parsing, slash
 * command definitions, permission checks and /help.
 */
import type { KeySuffix, MessageKey } from '../i18n.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import type { Args } from './args.js';
import type { Platform } from '../chat-event.js';

export type Role = 'member' | 'admin';

/**
 * `when`: a time as people type it (`21:30`, `明天 9:00`, `+10m`,
 * `2026-12-01T20:00`), read in the community's timezone relative to the
 * command's time and refused unless it lies ahead (core/time/when.ts).
 */
export type ArgType = 'int' | 'word' | 'text' | 'member' | 'choice' | 'when';

/** An argument's name: one with a label `arg.<name>` in a catalog (`<成员>` in usage lines). */
export type ArgName = KeySuffix<'arg.'>;

export interface ArgSpec {
  name: ArgName;
  type: ArgType;
  required?: boolean;
  /**
   * For 'choice': the canonical values with their labels, in order
   * (`{ week: 'choice.period.week' }`); `choiceAliases` maps other spellings ('周' → 'week').
   */
  choices?: Readonly<Record<string, MessageKey>>;
  choiceAliases?: Record<string, string>;
  min?: number;
  max?: number;
  /** Given as `name=value` anywhere in the text form instead of by position. */
  named?: boolean;
  /** For 'when': `none`, `-` or `无` clears the time (`/shop edit 3 ends=none`); read with `args.clearableWhen`. */
  clearable?: boolean;
  description: MessageKey;
}

export type HandlerResult = Reply | Reply[];
export type Handler = (ctx: CommandContext, args: Args) => HandlerResult | Promise<HandlerResult>;

interface SpecBase {
  name: string;
  /** Other names, English and Chinese: `/签到`, or bare `签到` when the bot is addressed. */
  aliases?: readonly string[];
  description: MessageKey;
  role: Role;
  /** Only on these platforms (`/bind` on WeCom); /help hides it elsewhere. */
  platforms?: readonly Platform[];
  /** A config switch (`/freeze` while streak freezes are on); /help hides it while false. */
  enabled?: () => boolean;
  /** What works on each platform, when it differs (moderation); /help shows it on the command's own line. */
  platformNotes?: Partial<Record<Platform, MessageKey>>;
}

/** Whether a command (or subcommand) works in a community on `platform`. */
export function isAvailable(spec: SpecBase, platform: Platform): boolean {
  return (spec.platforms === undefined || spec.platforms.includes(platform)) && (spec.enabled?.() ?? true);
}

export interface LeafCommand extends SpecBase {
  args?: readonly ArgSpec[];
  /** Top-level names that jump straight to this subcommand ('参与抽奖' → lottery join). */
  shortcuts?: readonly string[];
  handler: Handler;
  /**
   * The handler may run at READ COMMITTED on PostgreSQL (store UnitOptions):
   * it reads-then-writes only the calling member's rows (the router holds that
   * member's lock), and everything else through atomic statements, row locks
   * or unique keys. The command listeners run in the same unit, so they must
   * keep to the same rule. Leave it off when unsure: SERIALIZABLE is always safe.
   */
  readCommitted?: true;
}

export interface GroupCommand extends SpecBase {
  subcommands: readonly LeafCommand[];
  /** Subcommand used when none is named (`/lottery` → `/lottery list`). */
  defaultSubcommand?: string;
  /**
   * Subcommand that takes the words when the first one names no subcommand
   * (`投票 3 2` → `/poll vote 3 2`): a short form for what members type most.
   */
  argumentSubcommand?: string;
}

export type CommandSpec = LeafCommand | GroupCommand;

export function isGroup(spec: CommandSpec): spec is GroupCommand {
  return 'subcommands' in spec;
}
