/**
 * The points shop (积分商城 / 兑换). Admins list items (manual goods or a pool
 * of codes) with a price and optional stock, per-member limit, level and
 * sale window; members redeem them with points.
 *
 * A redemption is one unit of work: the eligibility checks, the stock
 * (`UPDATE … SET stock = stock - 1 WHERE … stock > 0`, rows changed checked)
 * or the code (`UPDATE shop_codes SET order_id = ? WHERE … order_id IS NULL`),
 * the order and the spend (a ledger row keyed `shop-order:<order>`) commit
 * together or not at all. On SQLite units run one at a time; on PostgreSQL
 * each is SERIALIZABLE and retried, so the last unit goes to one buyer and a
 * code to one order on both.
 *
 * Codes are delivered privately: in an ephemeral reply where that reply
 * reaches only the member (core/capabilities.ts, privateReplies), otherwise by direct
 * message through the outbox, whose group fallback names the order and never
 * the code. A refund gives the points back once (the order's status moves by
 * compare-and-set, and the ledger key `shop-refund:<order>` is unique) and a
 * manual item's unit back to its stock; a refunded code was shown to the
 * member, so it is not returned to the pool.
 *
 * A `role` item (Discord: the Roles port, core/sender.ts) is ordered like a
 * manual item (`pending`, a unit of its stock), and the role is granted after
 * the commit. The outcome goes on the order in a unit of its own: `fulfilled`
 * (with `expires_at` when the item has days, and the timer `shop-role-<order>`
 * armed), or still `pending` with the platform's reason as its note, for an
 * admin to grant by hand and `/shop fulfil`, or to `/shop refund`; the member
 * is told either way. The expiry timer removes the role and marks the order
 * `expired`; a refund of a granted role removes it at once. Platforms with no
 * roles (WeCom, the playground) refuse role items.
 *
 * A member's level may carry a discount (`points.levels[].shopDiscount`, the
 * best held wins): `/shop` shows and `/redeem` charges the discounted price,
 * rounded down, and the order records it, so a refund returns what was paid.
 * Items may also come from the items file (`shop.itemsFile`, items-file.ts),
 * synced at start by `syncItemsFile`; `/shop edit|remove` refuse those.
 */
import type { CommandContext } from '../../core/context.js';
import { UserError } from '../../core/errors.js';
import { localized } from '../../core/i18n.js';
import { cleanName } from '../../core/identity/sanitize.js';
import type { Outbox } from '../../core/outbox/service.js';
import { mention, type Reply } from '../../core/reply.js';
import { formatLocal } from '../../core/time/when.js';
import type { PointsService } from '../points/service.js';
import { discountedPrice } from '../points/levels.js';
import type { Roles } from '../../core/sender.js';
import type { DesiredTimers, JobContext, JobOutcome, Timers } from '../../core/ports.js';
import type { Store } from '../../store/db.js';
import type { ItemKind, ItemWithLeft, OrderView, ShopRepo } from './repo.js';
import type { Platform } from '../../core/chat-event.js';
import { specOf, type FileCommunity, type FileSpec } from './items-file.js';
import { privateReplies } from '../../core/capabilities.js';
import { checkName, ineligibility, itemRef, MAX_NOTE_LENGTH, nameKey, parseCodes, parseRoleRef, type Ineligible, type ItemRules } from './rules.js';

/** How many orders `/orders` and `/shop orders` show. */
const ORDERS_SHOWN = 20;
const DAY_MS = 86_400_000;

/** The timer that takes a role with days away: its id names the order. */
export const ROLE_EXPIRY_JOB = 'shop-role-expiry';
const roleJobId = (orderId: number): string => `shop-role-${orderId}`;

export interface AddInput {
  name: string;
  price: number;
  kind: ItemKind;
  stock: number | undefined;
  perMember: number | undefined;
  /** 0-based level index. */
  minLevel: number;
  starts: Date | undefined;
  ends: Date | undefined;
  /** A role item's role, as the admin wrote it (id or mention). */
  role?: string | undefined;
  /** A role item's days before the role is removed. */
  days?: number | undefined;
}

export interface EditInput {
  name?: string | undefined;
  price?: number | undefined;
  stock?: number | undefined;
  /** 0 lifts the limit. */
  perMember?: number | undefined;
  /** 0-based level index. */
  minLevel?: number | undefined;
  /** null: the window has no start any more (`starts=none`). */
  starts?: Date | null | undefined;
  /** null: the window has no end any more (`ends=none`). */
  ends?: Date | null | undefined;
}

/** What a ShopService needs, by name (built by the feature's assembly function in index.ts). */
export interface ShopServiceDeps {
  repo: ShopRepo;
  points: PointsService;
  outbox: Outbox;
  /** Roles on the community's platform (role items). */
  roles: Roles;
  /** A role's expiry. */
  timers: Timers;
  /** A unit of work of its own, for a role's grant outcome after the redemption's commit. */
  unit: Store['unit'];
  /** `shop.itemsFile` as configured (named when an admin tries to edit or remove an item it manages). */
  itemsFile?: string | null | undefined;
}

/** What a start-up sync of the items file changed. */
export interface ItemsSync {
  added: number;
  updated: number;
  /** Items whose kind the file changed: the old item is removed (its orders stay) and a new one added. */
  replaced: number;
  removed: number;
  unchanged: number;
}

export class ShopService {
  constructor(private readonly deps: ShopServiceDeps) {}

  // ── admins: items ────────────────────────────────────────────────────

  async add(ctx: CommandContext, input: AddInput): Promise<Reply> {
    const name = this.checkedName(input.name);
    if (input.kind === 'code' && input.stock !== undefined) throw new UserError('shop.codeStock');
    const roleId = await this.checkedRole(ctx, input);
    this.checkWindow(input.starts?.getTime() ?? null, input.ends?.getTime() ?? null, ctx);
    if (await this.deps.repo.itemByKey(ctx.community.id, nameKey(name))) throw new UserError('shop.nameTaken', { name });
    const id = await this.deps.repo.insertItem({
      communityId: ctx.community.id,
      name,
      nameKey: nameKey(name),
      price: input.price,
      kind: input.kind,
      stock: input.kind === 'code' ? null : (input.stock ?? null),
      perMember: input.perMember ?? null,
      minLevel: input.minLevel,
      startsAt: input.starts?.getTime() ?? null,
      endsAt: input.ends?.getTime() ?? null,
      roleId,
      roleDays: roleId === null ? null : (input.days ?? null),
      createdBy: ctx.member.id,
      at: ctx.now.getTime(),
    });
    const item = (await this.deps.repo.item(ctx.community.id, id)) as ItemWithLeft;
    const lines = [this.itemLine(ctx, item), ...this.itemTerms(ctx, item)];
    if (item.kind === 'code') lines.push(ctx.t('shop.addCodesHint', { id }));
    lines.push(ctx.t('shop.howToRedeem', { id }));
    return {
      title: ctx.t('shop.addedTitle', { id }),
      text: lines.join('\n'),
      actions: [{ label: ctx.t('shop.redeemButton'), command: `redeem ${id}`, style: 'primary' }],
      actionsExplained: true,
    };
  }

  async edit(ctx: CommandContext, ref: string, input: EditInput): Promise<Reply> {
    const item = await this.itemOf(ctx, ref);
    this.checkNotFromFile(item);
    if (Object.values(input).every((v) => v === undefined)) throw new UserError('shop.nothingToEdit');
    if (item.kind === 'code' && input.stock !== undefined) throw new UserError('shop.codeStock');
    const name = input.name === undefined ? item.name : this.checkedName(input.name);
    if (nameKey(name) !== item.name_key) {
      const other = await this.deps.repo.itemByKey(ctx.community.id, nameKey(name));
      if (other && other.id !== item.id) throw new UserError('shop.nameTaken', { name });
    }
    const startsAt = input.starts === undefined ? item.starts_at : (input.starts?.getTime() ?? null);
    const endsAt = input.ends === undefined ? item.ends_at : (input.ends?.getTime() ?? null);
    this.checkWindow(startsAt, endsAt, ctx);
    await this.deps.repo.updateItem(
      item.id,
      {
        name,
        nameKey: nameKey(name),
        price: input.price ?? item.price,
        stock: input.stock ?? item.stock,
        perMember: input.perMember === undefined ? item.per_member : input.perMember === 0 ? null : input.perMember,
        minLevel: input.minLevel ?? item.min_level,
        startsAt,
        endsAt,
      },
      ctx.now.getTime(),
    );
    const updated = (await this.deps.repo.item(ctx.community.id, item.id)) as ItemWithLeft;
    return { title: ctx.t('shop.editedTitle', { id: item.id }), text: [this.itemLine(ctx, updated), ...this.itemTerms(ctx, updated)].join('\n'), ephemeral: true };
  }

  async remove(ctx: CommandContext, ref: string): Promise<Reply> {
    const item = await this.itemOf(ctx, ref);
    this.checkNotFromFile(item);
    await this.deps.repo.removeItem(item.id, ctx.now.getTime());
    return { text: ctx.t('shop.removed', { id: item.id, name: item.name }), ephemeral: true };
  }

  /** `/shop codes <item> <codes>`: adds codes to a code item's pool; a code already there is counted, not added twice. */
  async addCodes(ctx: CommandContext, ref: string, raw: string): Promise<Reply> {
    const item = await this.itemOf(ctx, ref);
    if (item.kind !== 'code') throw new UserError('shop.notCodeItem', { id: item.id, name: item.name });
    const parsed = parseCodes(raw);
    if (!parsed.ok) throw new UserError(`shop.codes.${parsed.problem}`, { code: parsed.code ?? '' });
    let added = 0;
    for (const code of parsed.codes) if (await this.deps.repo.addCode(item.id, code, ctx.now.getTime())) added++;
    const free = ((await this.deps.repo.item(ctx.community.id, item.id)) as ItemWithLeft).free_codes;
    return { text: ctx.t('shop.codesAdded', { id: item.id, name: item.name, added, skipped: parsed.codes.length - added + parsed.repeated, free }), ephemeral: true };
  }

  // ── members ──────────────────────────────────────────────────────────

  /** `/shop`: every item, with what the member may redeem and why not for the rest. */
  async list(ctx: CommandContext): Promise<Reply> {
    const items = await this.deps.repo.activeItems(ctx.community.id);
    if (items.length === 0) return { text: ctx.t(ctx.isAdmin ? 'shop.emptyAdmin' : 'shop.empty'), ephemeral: true };
    const standing = await this.deps.points.standing(ctx.member.id);
    const bought = await this.deps.repo.boughtByItem(ctx.member.id);
    const discount = standing.level.shopDiscount;
    const lines: string[] = [];
    for (const item of items) {
      const price = discountedPrice(item.price, discount);
      const why = ineligibility(rulesOf(item, price), { now: ctx.now.getTime(), level: standing.level.index, balance: standing.balance, bought: bought.get(item.id) ?? 0 });
      lines.push(this.itemLine(ctx, item, discount), `  ${why ? `✗ ${this.whyText(ctx, why)}` : ctx.t('shop.canRedeem', { id: item.id })}`);
    }
    lines.push('', ctx.t('shop.yourBalance', { balance: standing.balance }));
    if (discount > 0) lines.push(ctx.t('shop.yourDiscount', { percent: discount, level: standing.level.name[ctx.locale] }));
    return { title: ctx.t('shop.listTitle'), text: lines.join('\n'), ephemeral: true };
  }

  async redeem(ctx: CommandContext, ref: string): Promise<Reply> {
    const item = await this.itemOf(ctx, ref);
    const standing = await this.deps.points.standing(ctx.member.id);
    const bought = await this.deps.repo.bought(ctx.member.id, item.id);
    // The level's discount (points.levels[].shopDiscount): the order records what the member paid, and a refund returns it.
    const price = discountedPrice(item.price, standing.level.shopDiscount);
    const why = ineligibility(rulesOf(item, price), { now: ctx.now.getTime(), level: standing.level.index, balance: standing.balance, bought });
    if (why) throw this.refusal(ctx, why, item);
    if (item.kind === 'role' && !(await this.deps.roles.can(ctx.community.id))) throw new UserError('shop.roleUnsupported');
    // The unit (a manual or role item's stock) or the code: taken by a conditional write, rows changed checked.
    if (item.kind !== 'code' && item.stock !== null && !(await this.deps.repo.takeUnit(item.id))) throw this.refusal(ctx, { reason: 'soldOut' }, item);
    const orderId = await this.deps.repo.insertOrder(ctx.community.id, item.id, ctx.member.id, price, item.kind === 'code' ? 'delivered' : 'pending', ctx.now.getTime());
    const code = item.kind === 'code' ? await this.deps.repo.claimCode(item.id, orderId) : undefined;
    if (item.kind === 'code' && code === undefined) throw this.refusal(ctx, { reason: 'soldOut' }, item);
    let balance = standing.balance;
    if (price > 0) {
      balance = (
        await this.deps.points.award({
          communityId: ctx.community.id,
          memberId: ctx.member.id,
          delta: -price,
          kind: 'spend',
          reason: `shop item ${item.id}`,
          ref: String(orderId),
          key: `shop-order:${orderId}`,
          at: ctx.now,
          day: ctx.day,
          afterCommit: ctx.afterCommit,
        })
      ).balance;
    }
    const spent = price > 0 ? [ctx.t(price < item.price ? 'shop.spentDiscounted' : 'shop.spent', { price, full: item.price, percent: standing.level.shopDiscount, balance })] : [];
    if (item.kind === 'role') {
      this.grantAfterCommit(ctx, orderId);
      return { text: [ctx.t('shop.roleOrdered', { order: orderId, name: item.name }), ...spent].join('\n'), ephemeral: true };
    }
    if (code === undefined) return { text: [ctx.t('shop.orderPlaced', { order: orderId, name: item.name }), ...spent].join('\n'), ephemeral: true };
    return this.privateCode(ctx, `shop-code-${orderId}`, { order: orderId, name: item.name, code }, {
      here: ctx.t('shop.codeHere', { order: orderId, name: item.name }),
      sent: ctx.t('shop.codeSent', { order: orderId, name: item.name }),
      more: spent,
    });
  }

  /**
   * A code for the member who sent the command, privately: in the reply where
   * that reaches only them (core/capabilities.ts), else by direct message through
   * the outbox, whose group fallback names the order and never the code. `here`
   * heads a reply that shows the code; `sent` says it went by direct message.
   * The one way a code leaves the shop (redemptions and lottery prizes).
   */
  async privateCode(ctx: CommandContext, key: string, c: { order: number; name: string; code: string }, texts: { here: string; sent: string; more: string[] }): Promise<Reply> {
    if (privateReplies(ctx.community.platform, ctx.event.type)) {
      return { text: [texts.here, `\`${c.code}\``, ...texts.more, ctx.t('shop.codeAgain')].join('\n'), ephemeral: true };
    }
    await this.sendCodesPrivately(ctx, key, [c]);
    return { text: [texts.sent, ...texts.more].join('\n'), ephemeral: true };
  }

  // ── lottery prizes: the same orders, admins' queue and private delivery ──

  /** An active item of the community by id or name (`item=` in /lottery create). */
  async findItem(communityId: number, raw: string): Promise<ItemWithLeft | undefined> {
    const ref = itemRef(raw);
    return 'id' in ref ? this.deps.repo.item(communityId, ref.id) : this.deps.repo.itemByKey(communityId, ref.key);
  }

  /**
   * A winner's prize order, inside the draw's unit of work: the code (a code
   * item) or the unit (a stocked manual item) is taken here, once per call, and
   * held unseen (`reserved`) until the winner claims it. `waiting`: the pool
   * was empty or the stock gone, so the order waits in the admins' queue
   * (`pending`) instead.
   */
  async reservePrize(p: { communityId: number; itemId: number; memberId: number; source: string; at: number }): Promise<{ orderId: number; waiting: boolean }> {
    const item = await this.deps.repo.itemAnyStatus(p.itemId);
    if (!item) throw new Error(`prize item ${p.itemId} does not exist`);
    if (item.kind !== 'code') {
      const held = item.stock === null || (await this.deps.repo.takeUnit(item.id));
      return { orderId: await this.deps.repo.insertPrizeOrder(p.communityId, item.id, p.memberId, held ? 'reserved' : 'pending', p.source, held, p.at), waiting: !held };
    }
    const orderId = await this.deps.repo.insertPrizeOrder(p.communityId, item.id, p.memberId, 'reserved', p.source, false, p.at);
    if ((await this.deps.repo.claimCode(item.id, orderId)) !== undefined) return { orderId, waiting: false };
    await this.deps.repo.moveOrder(orderId, 'reserved', 'pending');
    return { orderId, waiting: true };
  }

  /**
   * The winner claims a prize order: a held code is delivered, held goods join
   * the admins' queue, and a code order that waited for the pool takes a code
   * if one has been uploaded since. Returns the order as it is now.
   */
  async claimPrize(orderId: number): Promise<OrderView | undefined> {
    const order = await this.deps.repo.orderById(orderId);
    if (!order) return undefined;
    if (order.status === 'reserved') await this.deps.repo.moveOrder(order.id, 'reserved', order.item_kind === 'code' ? 'delivered' : 'pending');
    else if (order.status === 'pending' && order.item_kind === 'code' && order.code === null && (await this.deps.repo.claimCode(order.item_id, order.id)) !== undefined) {
      await this.deps.repo.moveOrder(order.id, 'pending', 'delivered');
    }
    return this.deps.repo.orderById(orderId);
  }

  /**
   * A prize not claimed in time: the order is cancelled and what it held goes
   * back (its code to the pool: nobody saw it; a manual unit to the stock).
   * False when the order had already moved on (fulfilled, refunded).
   */
  async cancelPrize(orderId: number): Promise<boolean> {
    const order = await this.deps.repo.orderById(orderId);
    if (!order || (order.status !== 'reserved' && order.status !== 'pending')) return false;
    if (!(await this.deps.repo.moveOrder(order.id, order.status, 'cancelled'))) return false;
    if (order.code !== null) await this.deps.repo.releaseCode(order.id);
    if (order.item_kind !== 'code' && order.holds_unit === 1) await this.deps.repo.returnUnit(order.item_id);
    return true;
  }

  orderById(orderId: number): Promise<OrderView | undefined> {
    return this.deps.repo.orderById(orderId);
  }

  /** `/orders` (我的兑换): the member's orders; codes in the reply where it is private, else by direct message. */
  async myOrders(ctx: CommandContext): Promise<Reply> {
    const orders = await this.deps.repo.memberOrders(ctx.member.id, ORDERS_SHOWN);
    if (orders.length === 0) return { text: ctx.t('shop.noOrders'), ephemeral: true };
    const inReply = privateReplies(ctx.community.platform, ctx.event.type);
    const lines: string[] = [];
    const codes: Array<{ order: number; name: string; code: string }> = [];
    for (const o of orders) {
      lines.push(ctx.t('shop.myOrderLine', { order: o.id, name: o.item_name, price: o.price, status: ctx.t(`shop.status.${o.status}`), at: formatLocal(new Date(o.created_at), ctx.community.timezone) }));
      if (o.note) lines.push(`  ${ctx.t('shop.noteLine', { note: o.note })}`);
      if (o.expires_at !== null && o.status === 'fulfilled') lines.push(`  ${ctx.t('shop.roleUntil', { at: formatLocal(new Date(o.expires_at), ctx.community.timezone) })}`);
      // A code is shown once it is the member's: not while a prize waits to be claimed, nor after a refund or cancellation.
      if (o.code === null || (o.status !== 'delivered' && o.status !== 'fulfilled')) continue;
      if (inReply) lines.push(`  ${ctx.t('shop.codeLine')} \`${o.code}\``);
      else codes.push({ order: o.id, name: o.item_name, code: o.code });
    }
    if (codes.length > 0) {
      await this.sendCodesPrivately(ctx, `shop-codes-${ctx.community.id}:${ctx.event.deliveryId}`, codes);
      lines.push('', ctx.t('shop.codesSent'));
    }
    return { title: ctx.t('shop.myOrdersTitle'), text: lines.join('\n'), ephemeral: true };
  }

  // ── admins: orders ───────────────────────────────────────────────────

  /** `/shop orders [pending]`: the queue (oldest first) or the latest orders; never the codes. */
  async orders(ctx: CommandContext, pendingOnly: boolean): Promise<Reply> {
    const orders = pendingOnly ? await this.deps.repo.pendingOrders(ctx.community.id, ORDERS_SHOWN) : await this.deps.repo.communityOrders(ctx.community.id, ORDERS_SHOWN);
    if (orders.length === 0) return { text: ctx.t(pendingOnly ? 'shop.noPending' : 'shop.noOrdersYet'), ephemeral: true };
    // A note shows why an order waits (a role the platform refused to grant) or what the admin wrote.
    const lines = orders.flatMap((o) => [this.adminOrderLine(ctx, o), ...(o.note ? [`  ${ctx.t('shop.noteLine', { note: o.note })}`] : [])]);
    if (pendingOnly) lines.push('', ctx.t('shop.fulfilHint'));
    return { title: ctx.t(pendingOnly ? 'shop.pendingTitle' : 'shop.ordersTitle'), text: lines.join('\n'), ephemeral: true };
  }

  async fulfil(ctx: CommandContext, orderId: number, rawNote: string | undefined): Promise<Reply> {
    const order = await this.orderOf(ctx, orderId);
    const note = rawNote === undefined ? null : cleanName(rawNote, MAX_NOTE_LENGTH + 1) || null;
    if (note !== null && [...note].length > MAX_NOTE_LENGTH) throw new UserError('shop.noteTooLong', { max: MAX_NOTE_LENGTH });
    // A role granted by hand: its days count from now, and the timer takes it away.
    const expiresAt = order.item_kind === 'role' && order.role_days !== null ? ctx.now.getTime() + order.role_days * DAY_MS : null;
    if (!(await this.deps.repo.fulfil(order.id, note, ctx.member.id, ctx.now.getTime(), expiresAt))) throw new UserError('shop.notPending', { order: order.id, status: ctx.t(`shop.status.${order.status}`) });
    if (expiresAt !== null) this.armExpiry(ctx.afterCommit, order.id, expiresAt);
    const lines = [ctx.t('shop.fulfilledNotice', { mention: mention(order.platform_user_id), order: order.id, name: order.item_name })];
    if (note) lines.push(ctx.t('shop.noteLine', { note }));
    await this.notify(ctx, order, `shop-fulfilled-${order.id}`, lines.join('\n'));
    return { text: ctx.t('shop.fulfilled', { order: order.id, name: order.item_name, member: order.member_name }), ephemeral: true };
  }

  async refund(ctx: CommandContext, orderId: number): Promise<Reply> {
    const order = await this.orderOf(ctx, orderId);
    if (!(await this.deps.repo.refund(order.id, ctx.member.id, ctx.now.getTime()))) throw new UserError('shop.alreadyRefunded', { order: order.id });
    if (order.price > 0) {
      // The refund undoes a spend: same kind, so earnings and levels do not change.
      await this.deps.points.award({
        communityId: order.community_id,
        memberId: order.member_id,
        delta: order.price,
        kind: 'spend',
        reason: `shop order ${order.id} refund`,
        ref: String(order.id),
        key: `shop-refund:${order.id}`,
        actorMemberId: ctx.member.id,
        at: ctx.now,
        day: ctx.day,
        afterCommit: ctx.afterCommit,
      });
    }
    if (order.item_kind !== 'code' && order.holds_unit === 1) await this.deps.repo.returnUnit(order.item_id);
    if (order.item_kind === 'role' && order.status === 'fulfilled') this.removeAfterCommit(ctx.afterCommit, order, `qunbot: shop order ${order.id} refunded`);
    await this.notify(ctx, order, `shop-refunded-${order.id}`, ctx.t('shop.refundedNotice', { mention: mention(order.platform_user_id), order: order.id, name: order.item_name, price: order.price }));
    const after = ctx.t(order.item_kind === 'code' ? 'shop.refundCodeVoid' : 'shop.refundStock');
    return { text: [ctx.t('shop.refunded', { order: order.id, member: order.member_name, price: order.price }), after].join('\n'), ephemeral: true };
  }

  // ── role items ───────────────────────────────────────────────────────

  /**
   * After the redemption commits: grant the role, then record the outcome on
   * the order in a unit of its own and tell the member (see the top of the file).
   */
  private grantAfterCommit(ctx: CommandContext, orderId: number): void {
    ctx.afterCommit(async () => {
      const order = await this.deps.unit(() => this.deps.repo.orderById(orderId));
      const o = order.value;
      if (!o || o.status !== 'pending' || o.role_id === null) return;
      let error: string | null = null;
      try {
        await this.deps.roles.grant(o.community_id, o.platform_user_id, o.role_id, `qunbot: shop order ${o.id}`);
      } catch (err) {
        error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_NOTE_LENGTH);
      }
      const at = ctx.now.getTime();
      const expiresAt = error === null && o.role_days !== null ? at + o.role_days * DAY_MS : null;
      const recorded = await this.deps.unit(async (unit) => {
        if (error === null) {
          if (!(await this.deps.repo.fulfil(o.id, null, null, at, expiresAt))) return;
          if (expiresAt !== null) this.armExpiry((fn) => unit.afterCommit(fn), o.id, expiresAt);
        } else await this.deps.repo.noteOrder(o.id, error);
        const until = expiresAt === null ? '' : ctx.t('shop.roleUntil', { at: formatLocal(new Date(expiresAt), ctx.community.timezone) });
        const text =
          error === null
            ? [ctx.t('shop.roleGranted', { mention: mention(o.platform_user_id), order: o.id, name: o.item_name }), until].filter(Boolean).join('\n')
            : ctx.t('shop.roleFailed', { mention: mention(o.platform_user_id), order: o.id, name: o.item_name });
        const reply: Reply = { text, mentions: { [o.platform_user_id]: o.member_name } };
        await this.deps.outbox.post(o.community_id, reply, { key: `shop-role-${o.id}`, source: `shop:${o.id}`, at: ctx.now, afterCommit: (fn) => unit.afterCommit(fn), direct: { recipient: o.platform_user_id, fallback: reply } });
      });
      await recorded.runAfterCommit((err) => {
        throw err;
      });
    });
  }

  private armExpiry(afterCommit: CommandContext['afterCommit'], orderId: number, expiresAt: number): void {
    afterCommit(() => this.deps.timers.at(roleJobId(orderId), new Date(expiresAt), { kind: ROLE_EXPIRY_JOB, id: orderId }));
  }

  /** Takes a granted role away after the commit; a refusal is kept as the order's note (the admins see it in /shop orders). */
  private removeAfterCommit(afterCommit: CommandContext['afterCommit'], order: OrderView, reason: string): void {
    if (order.role_id === null) return;
    const roleId = order.role_id;
    afterCommit(async () => {
      try {
        await this.deps.roles.remove(order.community_id, order.platform_user_id, roleId, reason);
      } catch (err) {
        const note = `role not removed: ${err instanceof Error ? err.message : String(err)}`.slice(0, MAX_NOTE_LENGTH);
        await this.deps.unit(() => this.deps.repo.noteOrder(order.id, note));
      }
    });
  }

  /** The expiry timer: the order moves fulfilled → expired once, then the role is removed after the commit. */
  async expireRole(orderId: number, job: JobContext): Promise<JobOutcome> {
    const order = await this.deps.repo.orderById(orderId);
    if (!order) return 'missing';
    if (order.status !== 'fulfilled' || order.expires_at === null) return undefined;
    if (!(await this.deps.repo.moveOrder(order.id, 'fulfilled', 'expired'))) return undefined;
    this.removeAfterCommit((fn) => job.afterCommit(fn), order, `qunbot: shop order ${order.id} expired`);
    return undefined;
  }

  /** The role expiries SQLite wants armed (the reconciler makes the timers agree after a restart). */
  async desired(): Promise<DesiredTimers> {
    return {
      timers: (await this.deps.repo.rolesExpiring()).map((row) => ({ jobId: roleJobId(row.id), dueAt: new Date(row.expires_at), job: { kind: ROLE_EXPIRY_JOB, id: row.id } })),
      schedulers: [],
      schedulerPrefixes: [],
    };
  }

  /** A role item's role id (checked, and the platform must have roles); null for other kinds, which may not name one. */
  private async checkedRole(ctx: CommandContext, input: AddInput): Promise<string | null> {
    if (input.kind !== 'role') {
      if (input.role !== undefined || input.days !== undefined) throw new UserError('shop.roleOnly');
      return null;
    }
    if (!(await this.deps.roles.can(ctx.community.id))) throw new UserError('shop.roleUnsupported');
    const roleId = input.role === undefined ? undefined : parseRoleRef(input.role);
    if (roleId === undefined) throw new UserError('shop.roleMissing');
    return roleId;
  }

  // ── the items file (shop.itemsFile) ──────────────────────────────────

  /**
   * At start, in one unit: the file's items, matched by name within each
   * community, are added or take the file's fields (the stock only when the
   * file changed it since the last sync, so a restart never refills a stock
   * that was sold; items the file did not manage yet take it too), and
   * items the file managed but no longer lists are removed from the shop
   * (status `removed`; their orders stay). A listed item an admin made by
   * hand is taken over by the file. A changed kind replaces the item.
   */
  async syncItemsFile(communities: readonly FileCommunity[], at: Date, communityId: (platform: Platform, externalId: string) => Promise<number>): Promise<ItemsSync> {
    const done = await this.deps.unit(async () => {
      const counts: ItemsSync = { added: 0, updated: 0, replaced: 0, removed: 0, unchanged: 0 };
      const listed = new Set<string>();
      const ms = at.getTime();
      for (const community of communities) {
        const cid = await communityId(community.platform, community.externalId);
        for (const item of community.items) {
          listed.add(`${cid}\u0000${item.nameKey}`);
          const spec = JSON.stringify(specOf(item));
          const insert = () =>
            this.deps.repo.insertItem({ communityId: cid, ...item, createdBy: null, at: ms, managedBy: 'file', fileSpec: spec });
          const existing = await this.deps.repo.itemByKey(cid, item.nameKey);
          if (!existing) {
            await insert();
            counts.added++;
          } else if (existing.kind !== item.kind) {
            await this.deps.repo.removeItem(existing.id, ms);
            await insert();
            counts.replaced++;
          } else if (existing.managed_by === 'file' && existing.file_spec === spec) {
            counts.unchanged++;
          } else {
            const before = existing.managed_by === 'file' && existing.file_spec !== null ? (JSON.parse(existing.file_spec) as FileSpec) : undefined;
            // Stock is the units left: the file's figure is applied when the file changes it (or takes the item over), like /shop edit stock=.
            const stock = before !== undefined && before.stock === item.stock ? existing.stock : item.stock;
            await this.deps.repo.updateFileItem(existing.id, { ...item, stock, fileSpec: spec }, ms);
            counts.updated++;
          }
        }
      }
      for (const row of await this.deps.repo.fileItems()) {
        if (listed.has(`${row.community_id}\u0000${row.name_key}`)) continue;
        await this.deps.repo.removeItem(row.id, ms);
        counts.removed++;
      }
      return counts;
    });
    return done.value;
  }

  private checkNotFromFile(item: ItemWithLeft): void {
    if (item.managed_by === 'file') throw new UserError('shop.fromFile', { id: item.id, name: item.name, file: this.deps.itemsFile ?? 'shop.itemsFile' });
  }

  // ── helpers ──────────────────────────────────────────────────────────

  private checkedName(raw: string): string {
    const checked = checkName(raw);
    if (!checked.ok) throw new UserError(`shop.name.${checked.problem}`, { max: 40 });
    return checked.name;
  }

  private checkWindow(startsAt: number | null, endsAt: number | null, ctx: CommandContext): void {
    if (startsAt !== null && endsAt !== null && startsAt >= endsAt) {
      throw new UserError('shop.badWindow', { starts: formatLocal(new Date(startsAt), ctx.community.timezone), ends: formatLocal(new Date(endsAt), ctx.community.timezone) });
    }
  }

  private async itemOf(ctx: CommandContext, raw: string): Promise<ItemWithLeft> {
    const item = await this.findItem(ctx.community.id, raw);
    if (!item) throw new UserError('shop.notFound', { item: cleanName(raw, 40) });
    return item;
  }

  private async orderOf(ctx: CommandContext, id: number): Promise<OrderView> {
    const order = await this.deps.repo.order(ctx.community.id, id);
    if (!order) throw new UserError('shop.orderNotFound', { order: id });
    return order;
  }

  /** Codes to the member by direct message; if that cannot be delivered, the group is told to ask, without the codes. */
  private async sendCodesPrivately(ctx: CommandContext, key: string, codes: Array<{ order: number; name: string; code: string }>): Promise<void> {
    const who = { [ctx.member.platformUserId]: ctx.member.displayName };
    const dm: Reply = {
      title: ctx.t('shop.codeDmTitle'),
      text: codes.map((c) => `${ctx.t('shop.codeDmLine', { order: c.order, name: c.name })}\n\`${c.code}\``).join('\n'),
    };
    const fallback: Reply = { text: ctx.t('shop.codeDmFailed', { mention: mention(ctx.member.platformUserId), orders: codes.map((c) => `#${c.order}`).join('、') }), mentions: who };
    await this.deps.outbox.post(ctx.community.id, dm, { key, source: `shop:${codes[0]?.order ?? 0}`, at: ctx.now, afterCommit: ctx.afterCommit, direct: { recipient: ctx.member.platformUserId, fallback } });
  }

  /** A notice to the order's member: privately where the platform can, else in the group with a mention. */
  private async notify(ctx: CommandContext, order: OrderView, key: string, text: string): Promise<void> {
    const reply: Reply = { text, mentions: { [order.platform_user_id]: order.member_name } };
    await this.deps.outbox.post(order.community_id, reply, { key, source: `shop:${order.id}`, at: ctx.now, afterCommit: ctx.afterCommit, direct: { recipient: order.platform_user_id, fallback: reply } });
  }

  /** An item in one line; with a member's level discount, the price they would pay beside the full one. */
  private itemLine(ctx: CommandContext, item: ItemWithLeft, discount = 0): string {
    const left = leftOf(item);
    const stock = left === null ? ctx.t('shop.unlimited') : ctx.t('shop.left', { left });
    const paid = discountedPrice(item.price, discount);
    const kind = ctx.t(`shop.kind.${item.kind}`);
    if (paid < item.price) return ctx.t('shop.itemLineDiscounted', { id: item.id, name: item.name, price: paid, full: item.price, kind, stock });
    return ctx.t('shop.itemLine', { id: item.id, name: item.name, price: item.price, kind, stock });
  }

  /** The item's limits, one line each, for admins' confirmations. */
  private itemTerms(ctx: CommandContext, item: ItemWithLeft): string[] {
    const tz = ctx.community.timezone;
    const terms: string[] = [];
    if (item.per_member !== null) terms.push(ctx.t('shop.termPerMember', { n: item.per_member }));
    if (item.min_level > 0) terms.push(ctx.t('shop.termLevel', { level: item.min_level + 1 }));
    if (item.starts_at !== null) terms.push(ctx.t('shop.termStarts', { at: formatLocal(new Date(item.starts_at), tz) }));
    if (item.ends_at !== null) terms.push(ctx.t('shop.termEnds', { at: formatLocal(new Date(item.ends_at), tz) }));
    if (item.role_id !== null) terms.push(ctx.t(item.role_days === null ? 'shop.termRole' : 'shop.termRoleDays', { role: `<@&${item.role_id}>`, days: item.role_days ?? 0 }));
    return terms.length ? [terms.join(' · ')] : [];
  }

  private adminOrderLine(ctx: CommandContext, o: OrderView): string {
    const prize = o.source?.startsWith('lottery:') ? ` · ${ctx.t('shop.prizeOf', { id: o.source.slice('lottery:'.length) })}` : '';
    return prize === '' ? this.orderLine(ctx, o) : `${this.orderLine(ctx, o)}${prize}`;
  }

  private orderLine(ctx: CommandContext, o: OrderView): string {
    return ctx.t('shop.adminOrderLine', {
      order: o.id,
      name: o.item_name,
      member: o.member_name,
      price: o.price,
      status: ctx.t(`shop.status.${o.status}`),
      at: formatLocal(new Date(o.created_at), ctx.community.timezone),
    });
  }

  private whyText(ctx: CommandContext, why: Ineligible): string {
    const { key, params } = whyMessage(why, ctx.community.timezone);
    return ctx.t(key, params);
  }

  private refusal(ctx: CommandContext, why: Ineligible, item: ItemWithLeft): UserError {
    const { key, params } = whyMessage(why, ctx.community.timezone);
    return new UserError('shop.refused', { name: item.name, why: localized(key, params) });
  }
}

/** What is left of an item: a manual item's stock, a code item's free codes; null: unlimited. */
function leftOf(item: ItemWithLeft): number | null {
  return item.kind === 'code' ? item.free_codes : item.stock;
}

/** `price`: what this member would pay (after their level's discount). */
function rulesOf(item: ItemWithLeft, price: number): ItemRules {
  return { price, perMember: item.per_member, minLevel: item.min_level, startsAt: item.starts_at, endsAt: item.ends_at, left: leftOf(item) };
}

type WhyKey = 'shop.why.notStarted' | 'shop.why.ended' | 'shop.why.level' | 'shop.why.limit' | 'shop.why.soldOut' | 'shop.why.balance';

function whyMessage(why: Ineligible, timezone: string): { key: WhyKey; params: Record<string, string | number> } {
  const at = (ms: number) => formatLocal(new Date(ms), timezone);
  switch (why.reason) {
    case 'notStarted':
      return { key: 'shop.why.notStarted', params: { at: at(why.startsAt) } };
    case 'ended':
      return { key: 'shop.why.ended', params: { at: at(why.endsAt) } };
    case 'level':
      return { key: 'shop.why.level', params: { level: why.minLevel + 1 } };
    case 'limit':
      return { key: 'shop.why.limit', params: { n: why.perMember } };
    case 'soldOut':
      return { key: 'shop.why.soldOut', params: {} };
    case 'balance':
      return { key: 'shop.why.balance', params: { price: why.price, balance: why.balance } };
  }
}
