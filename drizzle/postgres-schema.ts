/**
 * The PostgreSQL schema drizzle-kit reads (drizzle.postgres.config.ts): every
 * table of every src/**\/schema.ts, mapped from its sqlite-core definition by
 * drizzle/pg-from-sqlite.ts. drizzle-kit only sees top-level exports, so each
 * table is exported by name; TypeScript refuses a name the module does not
 * export, and test/unit/postgres-schema.test.ts fails when a schema file or a
 * table is missing here.
 */
import * as identity from '../src/core/identity/schema.js';
import * as outbox from '../src/core/outbox/schema.js';
import * as ratelimit from '../src/core/ratelimit/schema.js';
import * as settings from '../src/core/settings/schema.js';
import * as analytics from '../src/features/analytics/schema.js';
import * as checkin from '../src/features/checkin/schema.js';
import * as lifecycle from '../src/features/lifecycle/schema.js';
import * as lottery from '../src/features/lottery/schema.js';
import * as moderation from '../src/features/moderation/schema.js';
import * as points from '../src/features/points/schema.js';
import * as poll from '../src/features/poll/schema.js';
import * as quiz from '../src/features/quiz/schema.js';
import * as schedule from '../src/features/schedule/schema.js';
import * as shop from '../src/features/shop/schema.js';
import * as jobs from '../src/jobs/schema.js';
import * as playground from '../src/platforms/playground/schema.js';
import * as wecom from '../src/platforms/wecom/schema.js';
import { pgTablesOf } from './pg-from-sqlite.js';

/** Every src/**\/schema.ts that defines tables, by path from the project root. */
export const sqliteSchemaModules: Record<string, object> = {
  'src/core/identity/schema.ts': identity,
  'src/core/outbox/schema.ts': outbox,
  'src/core/ratelimit/schema.ts': ratelimit,
  'src/core/settings/schema.ts': settings,
  'src/features/analytics/schema.ts': analytics,
  'src/features/checkin/schema.ts': checkin,
  'src/features/lifecycle/schema.ts': lifecycle,
  'src/features/lottery/schema.ts': lottery,
  'src/features/moderation/schema.ts': moderation,
  'src/features/points/schema.ts': points,
  'src/features/poll/schema.ts': poll,
  'src/features/quiz/schema.ts': quiz,
  'src/features/schedule/schema.ts': schedule,
  'src/features/shop/schema.ts': shop,
  'src/jobs/schema.ts': jobs,
  'src/platforms/playground/schema.ts': playground,
  'src/platforms/wecom/schema.ts': wecom,
};

/** Files named schema.ts that hold no tables (the unit test checks they still hold none). */
export const schemaFilesWithoutTables: Record<string, string> = {
  'src/config/schema.ts': 'the configuration schema (zod)',
};

export const { communities, members, memberAccounts, inboundEvents } = pgTablesOf(identity);
export const { deliveries } = pgTablesOf(outbox);
export const { commandWindows } = pgTablesOf(ratelimit);
export const { settings: settingsTable } = pgTablesOf(settings);
export const { membershipEvents, analyticsDaily, analyticsState, analyticsWeeklyReports, analyticsMembers } = pgTablesOf(analytics);
export const { checkins, checkinStreaks, checkinDayCounts } = pgTablesOf(checkin);
export const {
  memberActivity,
  lifecycleMembers,
  welcomeBatches,
  welcomes,
  followups,
  nudges,
  lifecycleDailyRuns,
  segmentSnapshots,
  memberSegments,
  segmentTransitions,
  rulesAcceptances,
  communityTexts,
} = pgTablesOf(lifecycle);
export const { lotteries, lotteryEntries, lotteryClaims } = pgTablesOf(lottery);
export const { moderationWords, moderationLists, moderationStrikes, moderationLog, moderationRates, moderationSpam, moderationAutomod } = pgTablesOf(moderation);
export const { pointsLedger, memberPoints, pointsPeriods } = pgTablesOf(points);
export const { polls, pollVotes } = pgTablesOf(poll);
export const { quizSessions, quizRounds, quizAnswers, quizSchedules, quizScheduleRuns } = pgTablesOf(quiz);
export const { scheduledPosts, postRuns } = pgTablesOf(schedule);
export const { shopItems, shopCodes, shopOrders } = pgTablesOf(shop);
export const { timerSchedulers } = pgTablesOf(jobs);
export const { playgroundPosts } = pgTablesOf(playground);
export const { wecomWebhooks } = pgTablesOf(wecom);
