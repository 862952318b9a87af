import { describe, expect, it } from 'vitest';
import { resolveArgs, usage } from '../../src/core/commands/registry.js';
import { isGroup, type ArgSpec, type CommandSpec, type LeafCommand } from '../../src/core/commands/spec.js';
import { UserError } from '../../src/core/errors.js';
import { I18n, LOCALES, interpolate, renderLocalized } from '../../src/core/i18n.js';
import { makeTestApp } from '../helpers/app.js';
import { englishWords } from '../helpers/english.js';

describe('message catalog', () => {
  it('interpolates named parameters and leaves unknown ones visible', () => {
    expect(interpolate('{a} + {b} = {c}', { a: 1, b: 2 })).toBe('1 + 2 = {c}');
  });

  it('every key has a non-empty text in every locale, and every command description exists', async () => {
    const t = (await makeTestApp());
    try {
      const { i18n, registry } = t.app;
      for (const key of i18n.keys()) for (const locale of LOCALES) expect(i18n.t(locale, key).length, `${key} ${locale}`).toBeGreaterThan(0);
      for (const command of registry.commands) {
        expect(i18n.has(command.description), command.description).toBe(true);
        const leaves = 'subcommands' in command ? command.subcommands : [command];
        for (const leaf of leaves) {
          expect(i18n.has(leaf.description), leaf.description).toBe(true);
          for (const arg of 'args' in leaf ? (leaf.args ?? []) : []) expect(i18n.has(arg.description), arg.description).toBe(true);
        }
      }
    } finally {
      await t.close();
    }
  });

  it('zh-CN texts contain no English words: catalog texts, argument errors and usage lines of every command', async () => {
    const t = (await makeTestApp());
    try {
      const { i18n, registry } = t.app;
      const commandNames = new Set(registry.commands.flatMap((c) => [c.name, ...(isGroup(c) ? c.subcommands.map((s) => s.name) : [])]));
      const found: string[] = [];
      const check = (what: string, text: string): void => {
        const words = englishWords(text, commandNames);
        if (words.length) found.push(`${what}: ${words.join(' ')} ← ${text}`);
      };
      for (const key of i18n.keys()) check(key, i18n.t('zh-CN', key));
      for (const command of registry.commands) {
        for (const leaf of isGroup(command) ? command.subcommands : [command]) {
          check(`usage of /${command.name} ${leaf.name}`, renderLocalized(i18n.translator('zh-CN'), usage(command, leaf)));
          for (const arg of leaf.args ?? []) {
            // The refusals the registry gives for this argument: missing, not a number, out of range, not a choice, not a time.
            const bad = arg.type === 'int' ? ['', '很多', String((arg.min ?? 0) - 1)] : (BAD[arg.type] ?? ['']);
            for (const raw of bad) {
              const error = (await refusal(command, leaf, { ...arg, required: true }, raw));
              check(`/${command.name} ${leaf.name} ${arg.name}=${raw}`, i18n.t('zh-CN', error.key, error.params));
            }
          }
        }
      }
      expect(found).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('the English-word check catches the mixes members reported', () => {
    expect(englishWords('时间「25:00」里的 hour 不对：25')).toEqual(['hour']);
    expect(englishWords('period 只能是 week | month | all，收到的是「x」。')).toEqual(['period', 'week', 'month', 'all']);
    expect(englishWords('/grant <member> <points> <reason>', new Set(['grant']))).toEqual(['member', 'points', 'reason']);
    expect(englishWords('发送 /help 查看，{name} 含 #promo，cron 表达式，winners=3，config/quiz/*.yaml', new Set(['help']))).toEqual([]);
  });

  it('an unknown key is a loud error, a duplicate key too', () => {
    const i18n = new I18n();
    i18n.add({ 'test.command': { 'zh-CN': '甲', en: 'A' } });
    expect(() => i18n.t('en', 'test.arg')).toThrow(/unknown message key/);
    expect(() => i18n.add({ 'test.command': { 'zh-CN': '乙', en: 'B' } })).toThrow(/twice/);
  });
});

/** Values each type of argument refuses: missing, unreadable, out of range (integers: below their minimum). */
const BAD: Partial<Record<ArgSpec['type'], string[]>> = {
  choice: ['', '某个'],
  when: ['', '某时', '明天', '25:00', '2020-01-01 10:00', '+999d'],
};

/** The refusal the registry gives when `arg` (alone) is given as `raw`. */
async function refusal(command: CommandSpec, leaf: LeafCommand, arg: ArgSpec, raw: string): Promise<UserError> {
  try {
    await resolveArgs({ command, leaf: { ...leaf, args: [arg] }, path: [command.name], raw: new Map([[arg.name, raw]]) }, { member: async () => undefined, now: new Date('2026-06-01T04:00:00Z'), timezone: 'Asia/Shanghai' });
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error(`no refusal for ${arg.name}=${raw}`);
}
