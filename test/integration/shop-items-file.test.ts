/**
 * Issue #14, shop items from a YAML file (shop.itemsFile): checked at start
 * (a bad file refuses to start with file:line errors), synced by name on
 * every start (added, changed fields updated, no longer listed → removed from
 * the shop with their orders kept; stock applied only when the file changes
 * it), and `/shop edit|remove` refuse the file's items, naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { ItemsFileError, loadItemsFile } from '../../src/features/shop/index.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

const T0 = '2026-11-23T02:00:00.000Z';
const open: TestApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function place(): { dir: string; file: string; databasePath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'qunbot-shop-file-'));
  dirs.push(dir);
  return { dir, file: join(dir, 'items.yaml'), databasePath: join(dir, 'qunbot.sqlite') };
}

async function start(file: string, databasePath: string): Promise<TestApp> {
  const t = await makeTestApp({ clock: new FixedClock(T0), databasePath, config: { shop: { itemsFile: file } } });
  open.push(t);
  return t;
}

async function stop(t: TestApp): Promise<void> {
  open.splice(open.indexOf(t), 1);
  await t.close();
}

type ItemRow = { id: number; name: string; price: number; kind: string; stock: number | null; per_member: number | null; status: string; managed_by: string | null };
const items = async (t: TestApp): Promise<ItemRow[]> =>
  (await t.app.store.sql.prepare('SELECT id, name, price, kind, stock, per_member, status, managed_by FROM shop_items ORDER BY id').all()) as ItemRow[];

const V1 = `"playground:demo":
  - name: 咖啡券
    price: 50
    stock: 3
    per_member: 1
  - { name: 兑换码, price: 20, kind: code }
  - { name: 旧物, price: 10 }
`;

describe('shop items file: sync at start', () => {
  it('adds the file’s items, refuses /shop edit|remove on them, and on restart updates, takes over, replaces and removes by name without refilling stock', async () => {
    const { file, databasePath } = place();
    writeFileSync(file, V1);
    const a = await start(file, databasePath);
    expect(await items(a)).toEqual([
      { id: 1, name: '咖啡券', price: 50, kind: 'manual', stock: 3, per_member: 1, status: 'active', managed_by: 'file' },
      { id: 2, name: '兑换码', price: 20, kind: 'code', stock: null, per_member: null, status: 'active', managed_by: 'file' },
      { id: 3, name: '旧物', price: 10, kind: 'manual', stock: null, per_member: null, status: 'active', managed_by: 'file' },
    ]);
    expect(await a.chat.say('admin', '/shop edit 咖啡券 price=1')).toBe(`商品 #1「咖啡券」由商品文件 ${file} 管理：请修改该文件，机器人重启时会同步。`);
    expect(await a.chat.say('admin', '/shop remove 旧物')).toContain('由商品文件');
    // Codes are not in the file: they are uploaded as for any code item.
    expect(await a.chat.say('admin', '/shop codes 兑换码 AAA-1')).toContain('1');
    await a.chat.say('admin', '/shop add 手工 price=5');
    await a.chat.say('alice', '/points');
    await a.chat.say('admin', '/grant alice 100 test');
    expect(await a.chat.say('alice', '/redeem 咖啡券')).toContain('已扣除 50 积分');
    expect(await a.chat.say('alice', '/redeem 旧物')).toContain('已扣除 10 积分');
    await stop(a);

    // The file changes: a price (stock unchanged in the file), an item dropped, one added,
    // the admin's own item listed (taken over), and a kind changed.
    writeFileSync(
      file,
      `"playground:demo":
  - { name: 咖啡券, price: 60, stock: 3, per_member: 1 }
  - { name: 兑换码, price: 20, kind: manual }
  - { name: 新品, price: 30, stock: 5 }
  - { name: 手工, price: 7 }
`,
    );
    const b = await start(file, databasePath);
    expect(await items(b)).toEqual([
      // Sold units stay sold: the file's stock did not change, so 2 are left, not 3.
      { id: 1, name: '咖啡券', price: 60, kind: 'manual', stock: 2, per_member: 1, status: 'active', managed_by: 'file' },
      { id: 2, name: '兑换码', price: 20, kind: 'code', stock: null, per_member: null, status: 'removed', managed_by: 'file' },
      { id: 3, name: '旧物', price: 10, kind: 'manual', stock: null, per_member: null, status: 'removed', managed_by: 'file' },
      { id: 4, name: '手工', price: 7, kind: 'manual', stock: null, per_member: null, status: 'active', managed_by: 'file' },
      { id: 5, name: '兑换码', price: 20, kind: 'manual', stock: null, per_member: null, status: 'active', managed_by: 'file' },
      { id: 6, name: '新品', price: 30, kind: 'manual', stock: 5, per_member: null, status: 'active', managed_by: 'file' },
    ]);
    // Orders are never deleted: alice's order of the removed item is still hers.
    expect(await b.chat.say('alice', '/orders')).toContain('旧物');
    expect(await b.chat.say('alice', '/shop')).not.toContain('旧物');
    // A second sync of the same file changes nothing.
    const community = (await b.app.store.sql.prepare("SELECT id FROM communities WHERE external_id = 'demo'").get()) as { id: number };
    const again = await b.app.shop.syncItemsFile(loadItemsFile(file, () => 'Asia/Shanghai'), new Date(T0), async () => community.id);
    expect(again).toEqual({ added: 0, updated: 0, replaced: 0, removed: 0, unchanged: 4 });
    await stop(b);

    // A third version lists one item with a new stock: it is applied; the rest leave the shop.
    writeFileSync(file, `"playground:demo":\n  - { name: 咖啡券, price: 60, stock: 10, per_member: 1 }\n`);
    const c = await start(file, databasePath);
    const active = (await items(c)).filter((i) => i.status === 'active');
    expect(active).toEqual([{ id: 1, name: '咖啡券', price: 60, kind: 'manual', stock: 10, per_member: 1, status: 'active', managed_by: 'file' }]);
  });

  it('a stock changed in the file is applied to the item in place', async () => {
    const { file, databasePath } = place();
    writeFileSync(file, V1);
    const a = await start(file, databasePath);
    await a.chat.say('alice', '/points');
    await a.chat.say('admin', '/grant alice 100 test');
    await a.chat.say('alice', '/redeem 咖啡券');
    await stop(a);
    writeFileSync(file, V1.replace('stock: 3', 'stock: 8'));
    const b = await start(file, databasePath);
    expect((await items(b))[0]).toMatchObject({ id: 1, stock: 8, status: 'active' });
    // A file that lists the community with no items removes them all from the shop.
    const synced = await b.app.shop.syncItemsFile(
      [{ platform: 'playground', externalId: 'demo', items: [] }],
      new Date(T0),
      async () => ((await b.app.store.sql.prepare("SELECT id FROM communities WHERE external_id = 'demo'").get()) as { id: number }).id,
    );
    expect(synced).toEqual({ added: 0, updated: 0, replaced: 0, removed: 3, unchanged: 0 });
  });

  it('a bad file refuses to start, with every problem’s file and line', async () => {
    const { file, databasePath } = place();
    writeFileSync(file, `"playground:demo":\n  - name: 咖啡券\n    price: lots\n  - { name: 杯子, price: 5, kind: role, role: "223344556677889900" }\n`);
    const failed = await makeTestApp({ clock: new FixedClock(T0), databasePath, config: { shop: { itemsFile: file } } }).then(
      (t) => {
        open.push(t);
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(ItemsFileError);
    expect((failed as ItemsFileError).errors).toEqual(['items.yaml:3: playground:demo[0].price: expected a whole number from 0 to 100000000']);
    writeFileSync(file, `"playground:demo":\n  - { name: 杯子, price: 5, kind: role, role: "223344556677889900" }\n`);
    const second = await makeTestApp({ clock: new FixedClock(T0), databasePath, config: { shop: { itemsFile: file } } }).catch((err: unknown) => err);
    expect((second as ItemsFileError).message).toBe('the shop items file is invalid:\n  items.yaml:2: playground:demo[0].kind: role items need Discord roles (this community is not on Discord)');
  });
});
