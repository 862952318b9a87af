import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/core/commands/spec.js';
import { I18n } from '../../src/core/i18n.js';
import { testMessages } from '../helpers/messages.js';
import { ADMIN_PERMISSIONS, diffCommands, isUnchanged, slashCommands } from '../../src/platforms/discord/slash-commands.js';

const i18n = new I18n();
i18n.add(testMessages);
const reply = () => ({ text: '' });
const commands: CommandSpec[] = [
  {
    name: 'lottery',
    description: 'test.command',
    role: 'member',
    subcommands: [
      { name: 'join', description: 'test.command', role: 'member', args: [{ name: 'id', type: 'int', required: true, min: 1, description: 'test.arg' }], handler: reply },
      { name: 'create', description: 'test.long', role: 'admin', args: [{ name: 'note', type: 'text', description: 'test.arg' }, { name: 'prize', type: 'word', required: true, description: 'test.arg' }], handler: reply },
    ],
  },
  { name: 'grant', aliases: ['加分'], description: 'test.command', role: 'admin', args: [{ name: 'member', type: 'member', required: true, description: 'test.arg' }], handler: reply },
];

describe('slash commands from the registry', () => {
  it('maps subcommands, option types, localizations and admin permissions', () => {
    const [lottery, grant] = slashCommands(commands, i18n);
    expect(lottery).toMatchObject({ name: 'lottery', description: 'A command', description_localizations: { 'zh-CN': '指令' }, default_member_permissions: null });
    expect(lottery?.options?.map((o) => [o.type, o.name])).toEqual([[1, 'join'], [1, 'create']]);
    const create = lottery?.options?.[1] as { description: string; options: { name: string; required: boolean }[] };
    expect(create.description).toHaveLength(100); // clipped to Discord's limit
    expect(create.options.map((o) => [o.name, o.required])).toEqual([['prize', true], ['note', false]]); // required first
    expect(grant).toMatchObject({ default_member_permissions: ADMIN_PERMISSIONS, options: [{ type: 6, name: 'member', required: true }] });
  });

  it('diffs against what Discord returns, ignoring server-added fields', () => {
    const wanted = slashCommands(commands, i18n);
    const registered = wanted.map((c) => ({ ...c, id: '1', application_id: '2', version: '3', type: 1, nsfw: false, name_localizations: null, contexts: null }));
    expect(isUnchanged(diffCommands(registered, wanted))).toBe(true);
    const changed = registered.map((c) => (c.name === 'grant' ? { ...c, description: 'old' } : c));
    expect(diffCommands([...changed, { name: 'gone' }], wanted)).toEqual({ added: [], changed: ['grant'], removed: ['gone'] });
    expect(diffCommands([], wanted).added).toEqual(['lottery', 'grant']);
  });
});
