import type { Sql } from '../../store/sql.js';
import type { RowOf } from '../../store/rows.js';
import type { shopItems, shopOrders } from './schema.js';

/** A `SELECT *` row of shop_items (its type follows the table's definition). */
export type ItemRow = RowOf<typeof shopItems>;
export type OrderRow = RowOf<typeof shopOrders>;
export type ItemKind = ItemRow['kind'];

/** An item with what is left of it: `stock` for manual items, free codes for code items. */
export type ItemWithLeft = ItemRow & { free_codes: number };

/** An order with its item's name, its member's name and id, and its code (code items). */
export interface OrderView extends OrderRow {
  item_name: string;
  item_kind: ItemKind;
  role_id: string | null;
  role_days: number | null;
  member_name: string;
  platform_user_id: string;
  code: string | null;
}

export interface NewItem {
  communityId: number;
  name: string;
  nameKey: string;
  price: number;
  kind: ItemKind;
  stock: number | null;
  perMember: number | null;
  minLevel: number;
  startsAt: number | null;
  endsAt: number | null;
  roleId: string | null;
  roleDays: number | null;
  /** Null: made by the items file at start (see managedBy). */
  createdBy: number | null;
  at: number;
  /** 'file': synced from `shop.itemsFile`; `fileSpec` holds the file's fields as synced. */
  managedBy?: 'file' | undefined;
  fileSpec?: string | undefined;
}

/** An item's fields as the items file states them, written by the start-up sync. */
export interface FileItemChanges extends ItemChanges {
  roleId: string | null;
  roleDays: number | null;
  fileSpec: string;
}

export interface ItemChanges {
  name: string;
  nameKey: string;
  price: number;
  stock: number | null;
  perMember: number | null;
  minLevel: number;
  startsAt: number | null;
  endsAt: number | null;
}

const ORDER_VIEW = `SELECT o.*, i.name AS item_name, i.kind AS item_kind, i.role_id AS role_id, i.role_days AS role_days, m.display_name AS member_name, (SELECT a.platform_user_id FROM member_accounts a WHERE a.member_id = o.member_id ORDER BY a.id LIMIT 1) AS platform_user_id, c.code AS code
  FROM shop_orders o JOIN shop_items i ON i.id = o.item_id JOIN members m ON m.id = o.member_id LEFT JOIN shop_codes c ON c.order_id = o.id`;
const FREE_CODES = '(SELECT COUNT(*) FROM shop_codes c WHERE c.item_id = i.id AND c.order_id IS NULL) AS free_codes';

export function createShopRepo(sql: Sql) {
  const insertItem = sql.prepare<[number, string, string, number, string, number | null, number | null, number, number | null, number | null, string | null, number | null, number | null, number, number, string | null, string | null], { id: number }>(
    `INSERT INTO shop_items (community_id, name, name_key, price, kind, stock, per_member, min_level, starts_at, ends_at, role_id, role_days, status, created_by, created_at, updated_at, managed_by, file_spec)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?) RETURNING id`,
  );
  const updateFileItem = sql.prepare<[string, string, number, number | null, number | null, number, number | null, number | null, string | null, number | null, string, number, number]>(
    `UPDATE shop_items SET name = ?, name_key = ?, price = ?, stock = ?, per_member = ?, min_level = ?, starts_at = ?, ends_at = ?, role_id = ?, role_days = ?, managed_by = 'file', file_spec = ?, updated_at = ?
     WHERE id = ? AND status = 'active'`,
  );
  const fileItems = sql.prepare<[], { id: number; community_id: number; name_key: string }>("SELECT id, community_id, name_key FROM shop_items WHERE managed_by = 'file' AND status = 'active' ORDER BY id");
  const itemById = sql.prepare<[number, number], ItemWithLeft>(`SELECT i.*, ${FREE_CODES} FROM shop_items i WHERE i.id = ? AND i.community_id = ? AND i.status = 'active'`);
  const itemByKey = sql.prepare<[number, string], ItemWithLeft>(`SELECT i.*, ${FREE_CODES} FROM shop_items i WHERE i.community_id = ? AND i.name_key = ? AND i.status = 'active'`);
  const activeItems = sql.prepare<[number], ItemWithLeft>(`SELECT i.*, ${FREE_CODES} FROM shop_items i WHERE i.community_id = ? AND i.status = 'active' ORDER BY i.price, i.id`);
  const updateItem = sql.prepare<[string, string, number, number | null, number | null, number, number | null, number | null, number, number]>(
    `UPDATE shop_items SET name = ?, name_key = ?, price = ?, stock = ?, per_member = ?, min_level = ?, starts_at = ?, ends_at = ?, updated_at = ? WHERE id = ? AND status = 'active'`,
  );
  const removeItem = sql.prepare<[number, number]>("UPDATE shop_items SET status = 'removed', updated_at = ? WHERE id = ? AND status = 'active'");
  const takeUnit = sql.prepare<[number]>('UPDATE shop_items SET stock = stock - 1 WHERE id = ? AND stock IS NOT NULL AND stock > 0');
  const returnUnit = sql.prepare<[number]>('UPDATE shop_items SET stock = stock + 1 WHERE id = ? AND stock IS NOT NULL');
  const addCode = sql.prepare<[number, string, number]>('INSERT INTO shop_codes (item_id, code, created_at) VALUES (?, ?, ?) ON CONFLICT (item_id, code) DO NOTHING');
  const claimCode = sql.prepare<[number, number], { code: string }>(
    `UPDATE shop_codes SET order_id = ?
     WHERE id = (SELECT id FROM shop_codes WHERE item_id = ? AND order_id IS NULL ORDER BY id LIMIT 1) AND order_id IS NULL
     RETURNING code`,
  );
  const bought = sql.prepare<[number, number], { n: number }>("SELECT COUNT(*) AS n FROM shop_orders WHERE member_id = ? AND item_id = ? AND status <> 'refunded'");
  const boughtAll = sql.prepare<[number], { item_id: number; n: number }>("SELECT item_id, COUNT(*) AS n FROM shop_orders WHERE member_id = ? AND status <> 'refunded' GROUP BY item_id");
  const insertOrder = sql.prepare<[number, number, number, number, string, number], { id: number }>(
    'INSERT INTO shop_orders (community_id, item_id, member_id, price, status, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
  );
  const order = sql.prepare<[number, number], OrderView>(`${ORDER_VIEW} WHERE o.id = ? AND o.community_id = ?`);
  const memberOrders = sql.prepare<[number, number], OrderView>(`${ORDER_VIEW} WHERE o.member_id = ? ORDER BY o.id DESC LIMIT ?`);
  const communityOrders = sql.prepare<[number, number], OrderView>(`${ORDER_VIEW} WHERE o.community_id = ? ORDER BY o.id DESC LIMIT ?`);
  const pendingOrders = sql.prepare<[number, number], OrderView>(`${ORDER_VIEW} WHERE o.community_id = ? AND o.status = 'pending' ORDER BY o.id LIMIT ?`);
  const fulfil = sql.prepare<[string | null, number | null, number, number | null, number]>(
    "UPDATE shop_orders SET status = 'fulfilled', note = ?, fulfilled_by = ?, fulfilled_at = ?, expires_at = ? WHERE id = ? AND status = 'pending'",
  );
  const noteOrder = sql.prepare<[string, number]>("UPDATE shop_orders SET note = ? WHERE id = ?");
  const rolesExpiring = sql.prepare<[], { id: number; expires_at: number }>("SELECT id, expires_at FROM shop_orders WHERE status = 'fulfilled' AND expires_at IS NOT NULL");
  // A cancelled prize already gave its unit or code back: refunding it would give it back twice.
  const refund = sql.prepare<[number, number, number]>("UPDATE shop_orders SET status = 'refunded', refunded_by = ?, refunded_at = ? WHERE id = ? AND status NOT IN ('refunded', 'cancelled')");
  const insertPrizeOrder = sql.prepare<[number, number, number, string, string, number, number], { id: number }>(
    'INSERT INTO shop_orders (community_id, item_id, member_id, price, status, source, holds_unit, created_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?) RETURNING id',
  );
  const moveOrder = sql.prepare<[string, number, string]>('UPDATE shop_orders SET status = ? WHERE id = ? AND status = ?');
  const orderById = sql.prepare<[number], OrderView>(`${ORDER_VIEW} WHERE o.id = ?`);
  const releaseCode = sql.prepare<[number]>('UPDATE shop_codes SET order_id = NULL WHERE order_id = ?');
  const itemAnyStatus = sql.prepare<[number], ItemRow>('SELECT * FROM shop_items WHERE id = ?');

  return {
    insertItem: async (i: NewItem) =>
      ((await insertItem.get(i.communityId, i.name, i.nameKey, i.price, i.kind, i.stock, i.perMember, i.minLevel, i.startsAt, i.endsAt, i.roleId, i.roleDays, i.createdBy, i.at, i.at, i.managedBy ?? null, i.fileSpec ?? null)) as { id: number }).id,
    /** The start-up sync: an item takes the file's fields and is marked as the file's. */
    updateFileItem: async (id: number, c: FileItemChanges, at: number) =>
      (await updateFileItem.run(c.name, c.nameKey, c.price, c.stock, c.perMember, c.minLevel, c.startsAt, c.endsAt, c.roleId, c.roleDays, c.fileSpec, at, id)) === 1,
    /** Active items the items file manages, every community. */
    fileItems: () => fileItems.all(),
    /** An active item of the community, by id. */
    item: (communityId: number, id: number) => itemById.get(id, communityId),
    /** An active item of the community, by its name key. */
    itemByKey: (communityId: number, key: string) => itemByKey.get(communityId, key),
    activeItems: (communityId: number) => activeItems.all(communityId),
    updateItem: async (id: number, c: ItemChanges, at: number) =>
      (await updateItem.run(c.name, c.nameKey, c.price, c.stock, c.perMember, c.minLevel, c.startsAt, c.endsAt, at, id)) === 1,
    removeItem: async (id: number, at: number) => (await removeItem.run(at, id)) === 1,
    /** Takes one unit of a stocked item: false when none is left (or the item is unlimited: check first). */
    takeUnit: async (itemId: number) => (await takeUnit.run(itemId)) === 1,
    returnUnit: (itemId: number) => returnUnit.run(itemId),
    /** Adds a code to an item's pool: false when the item has it already. */
    addCode: async (itemId: number, code: string, at: number) => (await addCode.run(itemId, code, at)) === 1,
    /** Gives the order the item's oldest free code: undefined when the pool is empty. */
    claimCode: async (itemId: number, orderId: number) => (await claimCode.get(orderId, itemId))?.code,
    /** A member's orders of an item that were not refunded. */
    bought: async (memberId: number, itemId: number) => (await bought.get(memberId, itemId))?.n ?? 0,
    boughtByItem: async (memberId: number) => new Map((await boughtAll.all(memberId)).map((r) => [r.item_id, r.n])),
    insertOrder: async (communityId: number, itemId: number, memberId: number, price: number, status: OrderRow['status'], at: number) =>
      ((await insertOrder.get(communityId, itemId, memberId, price, status, at)) as { id: number }).id,
    order: (communityId: number, id: number) => order.get(id, communityId),
    memberOrders: (memberId: number, limit: number) => memberOrders.all(memberId, limit),
    communityOrders: (communityId: number, limit: number) => communityOrders.all(communityId, limit),
    pendingOrders: (communityId: number, limit: number) => pendingOrders.all(communityId, limit),
    /** Compare-and-set pending → fulfilled (`by` null: the bot granted a role; `expiresAt`: a role with days). */
    fulfil: async (id: number, note: string | null, by: number | null, at: number, expiresAt: number | null = null) => (await fulfil.run(note, by, at, expiresAt, id)) === 1,
    /** Sets an order's note (a role the platform refused: its reason). */
    noteOrder: (id: number, note: string) => noteOrder.run(note, id),
    /** Granted roles with days still to be removed (the expiry timers SQLite wants armed). */
    rolesExpiring: () => rolesExpiring.all(),
    /** Compare-and-set to refunded, from any other status: true once per order. */
    refund: async (id: number, by: number, at: number) => (await refund.run(by, at, id)) === 1,
    /** A free order for a lottery prize (`source` = `lottery:<id>`). */
    insertPrizeOrder: async (communityId: number, itemId: number, memberId: number, status: OrderRow['status'], source: string, holdsUnit: boolean, at: number) =>
      ((await insertPrizeOrder.get(communityId, itemId, memberId, status, source, holdsUnit ? 1 : 0, at)) as { id: number }).id,
    /** Compare-and-set of an order's status. */
    moveOrder: async (id: number, from: OrderRow['status'], to: OrderRow['status']) => (await moveOrder.run(to, id, from)) === 1,
    orderById: (id: number) => orderById.get(id),
    /** Puts an order's code back in the pool (a prize nobody saw). */
    releaseCode: (orderId: number) => releaseCode.run(orderId),
    /** An item whatever its status (a prize's item may be removed from the shop after the draw). */
    itemAnyStatus: (id: number) => itemAnyStatus.get(id),
  };
}

export type ShopRepo = ReturnType<typeof createShopRepo>;
