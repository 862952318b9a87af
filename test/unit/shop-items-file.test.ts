/** The shop's items file (shop.itemsFile): validation with file:line errors, times in the community's timezone. */
import { describe, expect, it } from 'vitest';
import { parseFileTime, parseItemsFile } from '../../src/features/shop/items-file.js';

const tz = (key: string): string => (key === 'discord:123456789012345678' ? 'America/New_York' : 'Asia/Shanghai');
const parse = (source: string) => parseItemsFile(source, 'items.yaml', tz);
const errors = (source: string): string[] => {
  const r = parse(source);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('shop items file', () => {
  it('reads items per community with the fields of /shop add; a role id stays text; times in the community timezone', () => {
    const r = parse(`"discord:123456789012345678":
  - name: VIP 月卡
    price: 500
    kind: role
    role: 223344556677889900123
    days: 30
    stock: 20
    per_member: 1
    min_level: 2
    starts: 2026-12-01 20:00
    ends: 2026-12-31T23:59+08:00
"wecom:group-1":
  - { name: 咖啡券, price: 50, kind: code }
`);
    expect(r).toEqual({
      ok: true,
      communities: [
        {
          platform: 'discord',
          externalId: '123456789012345678',
          items: [
            {
              name: 'VIP 月卡',
              nameKey: 'vip 月卡',
              price: 500,
              kind: 'role',
              stock: 20,
              perMember: 1,
              minLevel: 1,
              startsAt: Date.parse('2026-12-02T01:00:00Z'),
              endsAt: Date.parse('2026-12-31T15:59:00Z'),
              roleId: '223344556677889900123',
              roleDays: 30,
            },
          ],
        },
        {
          platform: 'wecom',
          externalId: 'group-1',
          items: [{ name: '咖啡券', nameKey: '咖啡券', price: 50, kind: 'code', stock: null, perMember: null, minLevel: 0, startsAt: null, endsAt: null, roleId: null, roleDays: null }],
        },
      ],
    });
  });

  it('names the file, the line and the field of each problem the schema finds', () => {
    expect(
      errors(`"wecom:g1":
  - name: 咖啡券
    price: -1
    colour: red
  - price: 5
  - name: 杯子
    price: 5
    kind: gift
"somewhere:x": []
"wecom:g2": 3
`),
    ).toEqual([
      'items.yaml:3: wecom:g1[0].price: expected a whole number from 0 to 100000000',
      'items.yaml:4: wecom:g1[0].colour: unknown field (expected one of name, price, kind, stock, per_member, min_level, starts, ends, role, days)',
      'items.yaml:5: wecom:g1[1].name: is required',
      'items.yaml:8: wecom:g1[2].kind: expected manual, code or role',
      'items.yaml:9: somewhere:x: expected a community key "<platform>:<id>" (discord, wecom or playground), as in community.overrides',
      'items.yaml:10: wecom:g2: expected a list of items',
    ]);
  });

  it('names the line of each rule an item breaks: names, kinds, roles, stock of code items, sale windows', () => {
    expect(
      errors(`"wecom:g1":
  - { name: "123", price: 1 }
  - { name: 咖啡券, price: 1 }
  - { name: "咖啡券 ", price: 2 }
  - { name: 兑换码, price: 1, kind: code, stock: 5 }
  - { name: 会员, price: 1, kind: role, role: "223344556677889900" }
  - { name: 杯子, price: 1, role: "223344556677889900", days: 3 }
  - { name: 早鸟, price: 1, starts: 2026-12-02 20:00, ends: 2026-12-01 20:00 }
  - { name: 晚鸟, price: 1, starts: +7d }
"discord:123456789012345678":
  - { name: VIP, price: 1, kind: role }
  - { name: VIP2, price: 1, kind: role, role: vip }
`),
    ).toEqual([
      'items.yaml:2: wecom:g1[0].name: must not be just a number (numbers are read as item ids)',
      'items.yaml:4: wecom:g1[2].name: "咖啡券" is listed twice for this community (also item 2)',
      'items.yaml:5: wecom:g1[3].stock: a code item has no stock: its stock is its pool of codes (/shop codes)',
      'items.yaml:6: wecom:g1[4].kind: role items need Discord roles (this community is not on Discord)',
      'items.yaml:7: wecom:g1[5].role: only for kind: role',
      'items.yaml:7: wecom:g1[5].days: only for kind: role',
      'items.yaml:8: wecom:g1[6].ends: must be after starts',
      'items.yaml:9: wecom:g1[7].starts: expected a date and time such as 2026-12-01 20:00 (Asia/Shanghai) or 2026-12-01T20:00+08:00',
      'items.yaml:11: discord:123456789012345678[0]: a role item needs role: <role id>',
      'items.yaml:12: discord:123456789012345678[1].role: expected a Discord role id or <@&id>',
    ]);
  });

  it('reports invalid YAML with its line, and accepts an empty file', () => {
    expect(errors('"wecom:g1":\n  - name: a\n    price: 1\n   bad: [\n')[0]).toMatch(/^items\.yaml:\d+: invalid YAML: /);
    expect(parse('')).toEqual({ ok: true, communities: [] });
    expect(parse('# nothing yet\n')).toEqual({ ok: true, communities: [] });
  });

  it('times: a date and a 24-hour time, in the timezone unless an offset is written; relative and bare dates are refused', () => {
    expect(parseFileTime('2026-12-01 20:00', 'Asia/Shanghai')).toBe(Date.parse('2026-12-01T12:00:00Z'));
    expect(parseFileTime('2026-12-01T8:05:30', 'Asia/Shanghai')).toBe(Date.parse('2026-12-01T00:05:30Z'));
    expect(parseFileTime('2026-12-01 20:00Z', 'Asia/Shanghai')).toBe(Date.parse('2026-12-01T20:00:00Z'));
    expect(parseFileTime('2026-12-01 20:00-0500', 'Asia/Shanghai')).toBe(Date.parse('2026-12-02T01:00:00Z'));
    expect(parseFileTime('2026-12-01', 'Asia/Shanghai')).toBeUndefined();
    expect(parseFileTime('+7d', 'Asia/Shanghai')).toBeUndefined();
    expect(parseFileTime('2026-13-01 20:00', 'Asia/Shanghai')).toBeUndefined();
    expect(parseFileTime('2026-12-01 25:00', 'Asia/Shanghai')).toBeUndefined();
  });
});
