import { describe, expect, it } from 'vitest';
import { resolveArgs, type Invocation } from '../../src/core/commands/registry.js';
import type { ArgSpec, LeafCommand } from '../../src/core/commands/spec.js';
import { UserError } from '../../src/core/errors.js';
import { I18n } from '../../src/core/i18n.js';
import { coreMessages } from '../../src/core/messages.js';

const points: ArgSpec = { name: 'points', type: 'int', required: true, min: 1, max: 10_000_000, description: 'test.command' };
const offset: ArgSpec = { name: 'offset', type: 'int', required: true, description: 'test.command' };

async function parse(spec: ArgSpec, raw: string): Promise<number | UserError> {
  const leaf: LeafCommand = { name: 'test', description: 'test.command', role: 'member', args: [spec], handler: () => ({ text: '' }) };
  const inv: Invocation = { command: leaf, leaf, path: ['test'], raw: new Map([[spec.name, raw]]) };
  try {
    return (await resolveArgs(inv, { member: async () => undefined, now: new Date(0), timezone: 'UTC' })).int(spec.name);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
}

describe('integer arguments: ASCII or full-width digits, normal thousands grouping', () => {
  it.each([
    ['5', 5],
    ['50', 50],
    ['５０', 50],
    ['0', 0],
    ['1,000', 1000],
    ['1,234,567', 1234567],
    ['１，２３４', 1234],
    ['1，000', 1000],
    ['999', 999],
    ['10000', 10000],
  ])('%j is %d', async (raw, value) => {
    expect((await parse(offset, raw))).toBe(value);
  });

  it.each([
    ['⑤', 'circled digit'],
    ['²', 'superscript'],
    ['𝟓', 'mathematical digit'],
    ['٥', 'Arabic-Indic digit'],
    ['五', 'Chinese numeral'],
    [',,,7,,,', 'stray commas'],
    ['7,', 'trailing comma'],
    [',7', 'leading comma'],
    ['12,34', 'group of two'],
    ['1,0000', 'group of four'],
    ['1,,000', 'double comma'],
    ['1000,000', 'first group too long'],
    ['007', 'leading zeros'],
    ['00', 'two zeros'],
    ['0,001', 'zero group first'],
    ['1.5', 'decimal'],
    ['1e3', 'exponent'],
    ['0x10', 'hex'],
    ['1 000', 'space grouping'],
    ['5\u200B', 'zero-width space'],
    ['+-5', 'two signs'],
    ['', 'empty'],
    ['abc', 'letters'],
  ])('%j (%s) is refused, naming the argument', async (raw, _label) => {
    const result = (await parse(offset, raw));
    if (raw === '') {
      expect(result).toMatchObject({ key: 'core.missingArg' });
      return;
    }
    expect(result).toMatchObject({ key: 'core.notAnInteger', params: { name: { key: 'arg.offset' }, value: raw } });
  });

  it.each([
    ['-5', -5],
    ['+5', 5],
    ['－５', -5],
    ['-1,000', -1000],
    ['−7', -7],
    ['-0', 0],
  ])('a signed argument takes %j as %d', async (raw, value) => {
    expect((await parse(offset, raw))).toBe(value);
  });

  it('an argument that cannot be negative refuses a sign, and a value out of range names the range', async () => {
    expect((await parse(points, '+5'))).toMatchObject({ key: 'core.noSign', params: { value: '+5' } });
    expect((await parse(points, '-5'))).toMatchObject({ key: 'core.outOfRange', params: { min: 1 } });
    expect((await parse(points, '0'))).toMatchObject({ key: 'core.outOfRange' });
    expect((await parse(points, '10,000,001'))).toMatchObject({ key: 'core.outOfRange' });
    expect((await parse(points, '99999999999999999999'))).toMatchObject({ key: 'core.outOfRange' });
    expect((await parse(points, '1,000'))).toBe(1000);
  });

  it('the refusals read well in both languages', async () => {
    const i18n = new I18n();
    i18n.add(coreMessages);
    const err = (await parse(points, '⑤')) as UserError;
    expect(i18n.t('zh-CN', err.key, err.params)).toBe('「积分」需要一个整数（如 5 或 1,000），收到的是「⑤」。');
    expect(i18n.t('en', err.key, err.params)).toBe('points must be a whole number (like 5 or 1,000), got "⑤".');
    const sign = (await parse(points, '+5')) as UserError;
    expect(i18n.t('zh-CN', sign.key, sign.params)).toBe('「积分」不能带正负号，请直接写数字（如 5），收到的是「+5」。');
    expect(i18n.t('en', sign.key, sign.params)).toBe('points takes a number without a sign (like 5), got "+5".');
  });
});
