import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';
import { communities, members } from '../../core/identity/schema.js';

/**
 * Every join and leave the platform delivered, in order. `members` keeps only
 * the latest join and leave, so a member who left and came back would lose
 * the first spell; growth and retention by join cohort read this log.
 */
export const membershipEvents = sqliteTable(
  'membership_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    communityId: integer('community_id').notNull().references(() => communities.id),
    memberId: integer('member_id').notNull().references(() => members.id),
    kind: text('kind', { enum: ['join', 'leave'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('membership_events_community').on(t.communityId, t.at), index('membership_events_member').on(t.memberId, t.at)],
);
