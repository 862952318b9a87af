/**
 * Slash-command definitions generated from the command registry (one source
 * of truth), and the comparison that keeps registration idempotent.
 */
import { ApplicationCommandOptionType, PermissionFlagsBits, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { ArgSpec, CommandSpec, LeafCommand } from '../../core/commands/spec.js';
import { isGroup } from '../../core/commands/spec.js';
import type { I18n, MessageKey } from '../../core/i18n.js';

export type SlashCommand = RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Manage Server: admin commands are hidden from other members by default (the router still checks). */
export const ADMIN_PERMISSIONS = PermissionFlagsBits.ManageGuild.toString();

const NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;
const DESCRIPTION_MAX = 100;

interface Option {
  type: number;
  name: string;
  description: string;
  description_localizations?: Record<string, string>;
  required?: boolean;
  choices?: { name: string; value: string }[];
  min_value?: number;
  max_value?: number;
  max_length?: number;
  options?: Option[];
}

export function slashCommands(commands: readonly CommandSpec[], i18n: I18n): SlashCommand[] {
  const describe = (key: MessageKey): Pick<Option, 'description' | 'description_localizations'> => ({
    description: clip(i18n.t('en', key)),
    description_localizations: { 'zh-CN': clip(i18n.t('zh-CN', key)) },
  });
  const out: SlashCommand[] = [];
  for (const spec of commands) {
    if (!NAME.test(spec.name)) continue; // names Discord refuses stay text-only
    const options = isGroup(spec)
      ? spec.subcommands.filter((leaf) => NAME.test(leaf.name)).map((leaf): Option => ({ type: ApplicationCommandOptionType.Subcommand, name: leaf.name, ...describe(leaf.description), options: leafOptions(leaf, describe) }))
      : leafOptions(spec, describe);
    out.push({
      name: spec.name,
      ...describe(spec.description),
      options: options as SlashCommand['options'],
      default_member_permissions: spec.role === 'admin' ? ADMIN_PERMISSIONS : null,
    });
  }
  return out;
}

function leafOptions(leaf: LeafCommand, describe: (key: MessageKey) => Pick<Option, 'description' | 'description_localizations'>): Option[] {
  const options = (leaf.args ?? []).filter((arg) => NAME.test(arg.name)).map((arg) => ({ name: arg.name, ...describe(arg.description), ...optionType(arg), required: arg.required === true }));
  // Discord wants required options first.
  return [...options.filter((o) => o.required), ...options.filter((o) => !o.required)];
}

function optionType(arg: ArgSpec): Pick<Option, 'type' | 'choices' | 'min_value' | 'max_value' | 'max_length'> {
  switch (arg.type) {
    case 'int':
      return { type: ApplicationCommandOptionType.Integer, ...(arg.min !== undefined ? { min_value: arg.min } : {}), ...(arg.max !== undefined ? { max_value: arg.max } : {}) };
    case 'member':
      return { type: ApplicationCommandOptionType.User };
    case 'choice':
      return { type: ApplicationCommandOptionType.String, choices: Object.keys(arg.choices ?? {}).slice(0, 25).map((c) => ({ name: c, value: c })) };
    case 'word':
    case 'text':
    case 'when':
      return { type: ApplicationCommandOptionType.String };
  }
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim() || '-';
  return line.length <= DESCRIPTION_MAX ? line : `${line.slice(0, DESCRIPTION_MAX - 1)}…`;
}

/** The fields we set, in a stable form, so that what Discord returns compares with what we generate. */
export function canonical(command: unknown): string {
  return JSON.stringify(pick(command, true));
}

function pick(value: unknown, top: boolean): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {
    name: v.name,
    description: v.description,
    description_localizations: sortKeys(v.description_localizations),
  };
  if (top) out.default_member_permissions = v.default_member_permissions ?? null;
  else {
    out.type = v.type;
    out.required = v.required === true;
    if (Array.isArray(v.choices) && v.choices.length > 0) out.choices = v.choices.map((c: { name?: unknown; value?: unknown }) => ({ name: c.name, value: c.value }));
    if (v.min_value !== undefined && v.min_value !== null) out.min_value = v.min_value;
    if (v.max_value !== undefined && v.max_value !== null) out.max_value = v.max_value;
  }
  const options = Array.isArray(v.options) ? v.options.map((o) => pick(o, false)) : [];
  if (options.length > 0) out.options = options;
  return out;
}

function sortKeys(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null) return null;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

export interface CommandDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** What registering `wanted` would change over `registered` (raw API objects). */
export function diffCommands(registered: readonly unknown[], wanted: readonly SlashCommand[]): CommandDiff {
  const have = new Map<string, string>();
  for (const command of registered) {
    const name = (command as { name?: unknown }).name;
    if (typeof name === 'string') have.set(name, canonical(command));
  }
  const diff: CommandDiff = { added: [], changed: [], removed: [] };
  const names = new Set<string>();
  for (const command of wanted) {
    names.add(command.name);
    const current = have.get(command.name);
    if (current === undefined) diff.added.push(command.name);
    else if (current !== canonical(command)) diff.changed.push(command.name);
  }
  for (const name of have.keys()) if (!names.has(name)) diff.removed.push(name);
  return diff;
}

export function isUnchanged(diff: CommandDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length === 0;
}
