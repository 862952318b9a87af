import { describe, expect, it } from 'vitest';
import { I18n, LOCALES, interpolate } from '../../src/core/i18n.js';
import { makeTestApp } from '../helpers/app.js';

describe('message catalog', () => {
  it('interpolates named parameters and leaves unknown ones visible', () => {
    expect(interpolate('{a} + {b} = {c}', { a: 1, b: 2 })).toBe('1 + 2 = {c}');
  });

  it('every key has a non-empty text in every locale, and every command description exists', async () => {
    const t = makeTestApp();
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

  it('an unknown key is a loud error, a duplicate key too', () => {
    const i18n = new I18n();
    i18n.add({ a: { 'zh-CN': '甲', en: 'A' } });
    expect(() => i18n.t('en', 'b')).toThrow(/unknown message key/);
    expect(() => i18n.add({ a: { 'zh-CN': '乙', en: 'B' } })).toThrow(/twice/);
  });
});
