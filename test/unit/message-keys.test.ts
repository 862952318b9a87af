/**
 * Message keys are typed from the catalogs: a key no catalog has does not
 * compile. Each `@ts-expect-error` below fails `npm run typecheck` the day
 * the misspelled key would be accepted; the runtime checks show what the
 * type saves us from (an error at the moment a member triggers it).
 */
import { describe, expect, it } from 'vitest';
import type { ArgSpec } from '../../src/core/commands/spec.js';
import { UserError } from '../../src/core/errors.js';
import { I18n, localized, type Catalog, type MessageKey, type Translate } from '../../src/core/i18n.js';
import { coreMessages } from '../../src/core/messages.js';
import { lotteryMessages } from '../../src/features/lottery/messages.js';

describe('typed message keys', () => {
  const i18n = new I18n();
  i18n.add(coreMessages);
  i18n.add(lotteryMessages);
  const t: Translate = i18n.translator('en');

  it('a misspelled key in t(), UserError or localized() does not compile', () => {
    expect(t('lottery.notFound', { id: 3 })).toBe('There is no lottery #3.');
    // @ts-expect-error: 'lottery.notFoud' is in no catalog
    expect(() => t('lottery.notFoud', { id: 3 })).toThrow(/unknown message key/);
    // @ts-expect-error: misspelled
    const refusal = new UserError('core.adminOnyl');
    expect(() => i18n.t('en', refusal.key)).toThrow(/unknown message key/);
    // @ts-expect-error: misspelled
    expect(localized('core.placholder')).toEqual({ key: 'core.placholder' });
  });

  it('keys built from parts must still name keys that exist', () => {
    const field = 'hour' as 'hour' | 'minute';
    expect(t(`time.field.${field}`)).toBe('hour');
    const typo = 'hours' as 'hours' | 'minute';
    // @ts-expect-error: 'time.field.hours' is in no catalog
    expect(() => t(`time.field.${typo}`)).toThrow(/unknown message key/);
    const anyText: string = 'lottery.notFound';
    // @ts-expect-error: a plain string is not a key; narrow it first
    expect(t(anyText, { id: 1 })).toBe('There is no lottery #1.');
    expect(i18n.has(anyText) && t(anyText, { id: 1 })).toBe('There is no lottery #1.');
  });

  it('argument names need a label, choices and descriptions name keys', () => {
    const ok: ArgSpec = { name: 'bonus', type: 'choice', choices: { streak7: 'choice.bonus.streak7' }, description: 'lottery.arg.bonus' };
    expect(ok.name).toBe('bonus');
    // @ts-expect-error: no 'arg.bonsu' label, so no argument may be called that
    const badName: ArgSpec = { name: 'bonsu', type: 'word', description: 'lottery.arg.bonus' };
    // @ts-expect-error: the choice's label is misspelled
    const badChoice: ArgSpec = { name: 'bonus', type: 'choice', choices: { streak7: 'choice.bonus.streak' }, description: 'lottery.arg.bonus' };
    // @ts-expect-error: the description is misspelled
    const badDescription: ArgSpec = { name: 'bonus', type: 'word', description: 'lottery.arg.bonsu' };
    expect([badName, badChoice, badDescription].map((spec) => i18n.has(spec.description))).toEqual([true, true, false]);
  });

  it('only catalogs whose keys are known can be added', () => {
    const loose: Catalog = { 'lottery.notFoud': { 'zh-CN': '没有', en: 'None' } };
    const fresh = new I18n();
    // @ts-expect-error: a catalog typed with plain string keys would let any key in
    fresh.add(loose);
    expect(fresh.keys()).toEqual(['lottery.notFoud']);
  });

  it('MessageKey is a union of literals, not string', () => {
    const isString: string extends MessageKey ? true : false = false;
    expect(isString).toBe(false);
  });
});
