import type { ArgSpec, CommandSpec } from '../../core/commands/spec.js';
import type { Args } from '../../core/commands/args.js';
import type { ItemKind } from './repo.js';
import type { ShopService } from './service.js';

const itemWord = { name: 'item', type: 'word', required: true, description: 'shop.arg.item' } as const;
const itemText = { name: 'item', type: 'text', required: true, description: 'shop.arg.item' } as const;
const orderArg = { name: 'order', type: 'int', required: true, min: 1, description: 'shop.arg.order' } as const;

/** The item's terms, as `/shop add` and `/shop edit` take them (named: `price=100 stock=5`). */
const terms: readonly ArgSpec[] = [
  { name: 'stock', type: 'int', named: true, min: 0, max: 1_000_000, description: 'shop.arg.stock' },
  { name: 'per_member', type: 'int', named: true, min: 0, max: 1000, description: 'shop.arg.perMember' },
  { name: 'min_level', type: 'int', named: true, min: 1, max: 100, description: 'shop.arg.minLevel' },
  { name: 'starts', type: 'when', named: true, description: 'shop.arg.starts' },
  { name: 'ends', type: 'when', named: true, description: 'shop.arg.ends' },
];

const optionalWhen = (args: Args, name: string): Date | undefined => (args.has(name) ? args.when(name) : undefined);

/** `/shop edit`'s terms: the same, and `starts=none` / `ends=none` (or `-`, `无`) clears a sale window's end. */
const editTerms: readonly ArgSpec[] = terms.map((t) =>
  t.name === 'starts' ? { ...t, clearable: true, description: 'shop.arg.startsEdit' } : t.name === 'ends' ? { ...t, clearable: true, description: 'shop.arg.endsEdit' } : t,
);
const levelIndex = (args: Args): number | undefined => {
  const level = args.optionalInt('min_level');
  return level === undefined ? undefined : level - 1;
};

export function shopCommands(service: ShopService): CommandSpec[] {
  return [
    {
      name: 'shop',
      aliases: ['商城'],
      description: 'shop.describe',
      role: 'member',
      defaultSubcommand: 'list',
      subcommands: [
        { name: 'list', aliases: ['列表'], description: 'shop.list.describe', role: 'member', handler: (ctx) => service.list(ctx) },
        {
          name: 'add',
          aliases: ['上架', '添加'],
          description: 'shop.add.describe',
          role: 'admin',
          args: [
            { name: 'name', type: 'text', required: true, description: 'shop.arg.name' },
            { name: 'price', type: 'int', named: true, required: true, min: 0, max: 100_000_000, description: 'shop.arg.price' },
            ...terms,
            { name: 'kind', type: 'choice', named: true, choices: { manual: 'choice.shopKind.manual', code: 'choice.shopKind.code', role: 'choice.shopKind.role' }, choiceAliases: { 实物: 'manual', 人工: 'manual', 兑换码: 'code', 卡密: 'code', 身份组: 'role' }, description: 'shop.arg.kind' },
            { name: 'role', type: 'word', named: true, description: 'shop.arg.role' },
            { name: 'days', type: 'int', named: true, min: 1, max: 3650, description: 'shop.arg.days' },
          ],
          handler: (ctx, args) =>
            service.add(ctx, {
              name: args.string('name'),
              price: args.int('price'),
              kind: (args.optionalString('kind') ?? 'manual') as ItemKind,
              stock: args.optionalInt('stock'),
              perMember: args.optionalInt('per_member') || undefined,
              minLevel: levelIndex(args) ?? 0,
              starts: optionalWhen(args, 'starts'),
              ends: optionalWhen(args, 'ends'),
              role: args.optionalString('role'),
              days: args.optionalInt('days'),
            }),
        },
        {
          name: 'edit',
          aliases: ['修改'],
          description: 'shop.edit.describe',
          role: 'admin',
          args: [
            itemText,
            { name: 'name', type: 'word', named: true, description: 'shop.arg.newName' },
            { name: 'price', type: 'int', named: true, min: 0, max: 100_000_000, description: 'shop.arg.price' },
            ...editTerms,
          ],
          handler: (ctx, args) =>
            service.edit(ctx, args.string('item'), {
              name: args.optionalString('name'),
              price: args.optionalInt('price'),
              stock: args.optionalInt('stock'),
              perMember: args.optionalInt('per_member'),
              minLevel: levelIndex(args),
              starts: args.clearableWhen('starts'),
              ends: args.clearableWhen('ends'),
            }),
        },
        { name: 'remove', aliases: ['下架'], description: 'shop.remove.describe', role: 'admin', args: [itemText], handler: (ctx, args) => service.remove(ctx, args.string('item')) },
        {
          name: 'codes',
          aliases: ['兑换码', '上传兑换码'],
          description: 'shop.codes.describe',
          role: 'admin',
          args: [itemWord, { name: 'codes', type: 'text', required: true, description: 'shop.arg.codes' }],
          handler: (ctx, args) => service.addCodes(ctx, args.string('item'), args.string('codes')),
        },
        {
          name: 'orders',
          aliases: ['订单'],
          description: 'shop.orders.describe',
          role: 'admin',
          args: [{ name: 'filter', type: 'choice', choices: { pending: 'choice.orderFilter.pending', all: 'choice.orderFilter.all' }, choiceAliases: { 待处理: 'pending', 待发货: 'pending', 全部: 'all' }, description: 'shop.arg.filter' }],
          handler: (ctx, args) => service.orders(ctx, (args.optionalString('filter') ?? 'all') === 'pending'),
        },
        {
          name: 'fulfil',
          aliases: ['fulfill', '发货', '完成'],
          description: 'shop.fulfil.describe',
          role: 'admin',
          args: [orderArg, { name: 'note', type: 'text', description: 'shop.arg.note' }],
          handler: (ctx, args) => service.fulfil(ctx, args.int('order'), args.optionalString('note')),
        },
        { name: 'refund', aliases: ['退款', '退还'], description: 'shop.refund.describe', role: 'admin', args: [orderArg], handler: (ctx, args) => service.refund(ctx, args.int('order')) },
      ],
    },
    {
      name: 'redeem',
      aliases: ['兑换'],
      description: 'shop.redeem.describe',
      role: 'member',
      args: [itemText],
      handler: (ctx, args) => service.redeem(ctx, args.string('item')),
    },
    { name: 'orders', aliases: ['我的兑换', '我的订单'], description: 'shop.myOrders.describe', role: 'member', handler: (ctx) => service.myOrders(ctx) },
  ];
}
