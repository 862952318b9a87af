import { sqliteTable, integer, text, uniqueIndex, index, primaryKey } from 'drizzle-orm/sqlite-core';

/**
 * Communities (a Discord guild, a WeCom group, a playground room), their
 * members, and the platform accounts that belong to members. Accounts and
 * members are separate so that one person's Discord and WeCom accounts can
 * later point at one member without a data migration.
 */
export const communities = sqliteTable(
  'communities',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name').notNull().default(''),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('communities_platform_external').on(t.platform, t.externalId)],
);

export const members = sqliteTable(
  'members',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    displayName: text('display_name').notNull(),
    joinedAt: integer('joined_at').notNull(),
    leftAt: integer('left_at'),
    createdAt: integer('created_at').notNull(),
  },
  // By first sight and by leave: analytics finds the members whose presence changed within a day without reading them all.
  (t) => [index('members_community_name').on(t.communityId, t.displayName), index('members_community_created').on(t.communityId, t.createdAt), index('members_community_left').on(t.communityId, t.leftAt)],
);

export const memberAccounts = sqliteTable(
  'member_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberId: integer('member_id').notNull().references(() => members.id),
    communityId: integer('community_id').notNull().references(() => communities.id),
    platform: text('platform').notNull(),
    platformUserId: text('platform_user_id').notNull(),
  },
  (t) => [uniqueIndex('member_accounts_identity').on(t.communityId, t.platform, t.platformUserId), index('member_accounts_member').on(t.memberId)],
);

/**
 * Every inbound delivery, by its dedupe key, with the reply it got (re-sent on
 * a platform retry). The key is scoped to the community (its external id): a
 * client-chosen message id (the playground) cannot reach another community's
 * deliveries. `actor` is the author's platform user id; a retry must come from
 * the same author to get the stored reply.
 */
export const inboundEvents = sqliteTable(
  'inbound_events',
  {
    platform: text('platform').notNull(),
    community: text('community').notNull().default(''),
    deliveryId: text('delivery_id').notNull(),
    actor: text('actor').notNull().default(''),
    receivedAt: integer('received_at').notNull(),
    replyJson: text('reply_json'),
  },
  (t) => [primaryKey({ columns: [t.platform, t.community, t.deliveryId] }), index('inbound_events_received').on(t.receivedAt)],
);
