import { sqliteTable, integer, text, index, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * The points shop (积分商城). Items are never deleted (orders point at them):
 * `/shop remove` moves the status to `removed`.
 *
 * Stock: a `manual` item's `stock` is the units left (NULL: unlimited), taken
 * by a conditional UPDATE (`stock > 0`) in the redemption's unit of work and
 * given back by a refund. A `code` item has no `stock`: what is left is its
 * unassigned codes (shop_codes with no order). A `role` item (Discord) has a
 * stock like a manual item's and grants `role_id` after the commit.
 */
export const shopItems = sqliteTable(
  'shop_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    name: text('name').notNull(),
    /** The name as looked up: NFKC, lower case (computed in the service, so both engines compare the same text). */
    nameKey: text('name_key').notNull(),
    price: integer('price').notNull(),
    kind: text('kind', { enum: ['manual', 'code', 'role'] }).notNull(),
    /** A `role` item's platform role (a Discord role id): granted after the redemption commits. */
    roleId: text('role_id'),
    /** A `role` item's days: the role is removed by a timer that many days after it was granted; NULL: kept. */
    roleDays: integer('role_days'),
    stock: integer('stock'),
    /** NULL: no per-member limit. Refunded orders do not count. */
    perMember: integer('per_member'),
    /** 0-based level index (0 = everyone), as lotteries store it. */
    minLevel: integer('min_level').notNull().default(0),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    status: text('status', { enum: ['active', 'removed'] }).notNull(),
    /** 'file': the item comes from `shop.itemsFile` (synced at start by name); `/shop edit|remove` refuse it. NULL: made by `/shop add`. */
    managedBy: text('managed_by', { enum: ['file'] }),
    /** A file item's fields as last synced (JSON): a field changes only when the file changes it (so a restart never refills stock). */
    fileSpec: text('file_spec'),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('shop_items_community').on(t.communityId, t.status), index('shop_items_name').on(t.communityId, t.nameKey)],
);

/**
 * A code item's pool. A code is given to at most one order (`order_id`, set
 * by a conditional UPDATE); a refunded order keeps its code, which was shown
 * to the member, so it is never given again.
 */
export const shopCodes = sqliteTable(
  'shop_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    itemId: integer('item_id').notNull().references(() => shopItems.id),
    code: text('code').notNull(),
    orderId: integer('order_id').references((): AnySQLiteColumn => shopOrders.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('shop_codes_item_code').on(t.itemId, t.code), uniqueIndex('shop_codes_order').on(t.orderId), index('shop_codes_free').on(t.itemId, t.orderId)],
);

/**
 * Orders: who bought what, when, for how much, and what happened after.
 * `pending` (a manual item in the admins' queue) → `fulfilled`; a code order
 * is `delivered` at once; any of them → `refunded` once (compare-and-set), and
 * the points come back through the ledger with the key `shop-refund:<id>`.
 * A lottery prize (price 0, `source` = `lottery:<id>`) starts `reserved`: its
 * unit or code is held for the winner, unseen, until the winner claims it
 * (→ `delivered` for a code, `pending` for goods); a prize not claimed in time
 * is `cancelled` and its code or unit goes back to the item. A code prize
 * whose pool was empty at the draw waits as `pending` in the admins' queue.
 * A `role` order is `pending` until the role is granted after the commit
 * (→ `fulfilled`); when the platform refuses, it stays `pending` with the
 * platform's reason in `note`, for an admin to fulfil (grant by hand) or
 * refund. With days, the fulfilled order is `expired` when the role is removed.
 */
export const shopOrders = sqliteTable(
  'shop_orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    itemId: integer('item_id').notNull().references(() => shopItems.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    price: integer('price').notNull(),
    status: text('status', { enum: ['reserved', 'pending', 'fulfilled', 'delivered', 'refunded', 'cancelled', 'expired'] }).notNull(),
    note: text('note'),
    /** Where a free order came from: `lottery:<id>` for a lottery prize; NULL for a redemption. */
    source: text('source'),
    /** 1: a manual item's order holds one unit of stock (given back by a refund or a cancellation); 0: a prize drawn when the stock was gone. */
    holdsUnit: integer('holds_unit').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    fulfilledBy: integer('fulfilled_by').references(() => members.id),
    fulfilledAt: integer('fulfilled_at'),
    refundedBy: integer('refunded_by').references(() => members.id),
    refundedAt: integer('refunded_at'),
    /** A granted role with days: when the timer `shop-role-<id>` takes it away (→ `expired`). */
    expiresAt: integer('expires_at'),
  },
  (t) => [index('shop_orders_community').on(t.communityId, t.status), index('shop_orders_member').on(t.memberId, t.itemId)],
);
