/**
 * The configuration schema: config/default.yaml, an optional CONFIG_FILE,
 * then environment variables. A bad value stops the process with a message
 * naming the key.
 */
import { z } from 'zod';
import { LOCALES } from '../core/i18n.js';
import { isValidTimezone } from '../core/community-day.js';
import { TIPS, WELCOME_PLACEHOLDERS, unknownPlaceholders } from '../features/lifecycle/rules.js';

const locale = z.enum(LOCALES);
const timezone = z.string().refine(isValidTimezone, { message: 'expected an IANA timezone such as Asia/Shanghai' });
const hour = z.number().int().min(0).max(23);
const localized = z.object({ 'zh-CN': z.string().min(1), en: z.string().min(1) });

/** A welcome template: placeholders other than {mention} {community} {bonus} are refused at load. */
const welcomeText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const unknown = unknownPlaceholders(text, WELCOME_PLACEHOLDERS);
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown placeholder ${unknown.map((n) => `{${n}}`).join(', ')} (expected ${WELCOME_PLACEHOLDERS.map((n) => `{${n}}`).join(', ')})` });
  });

/** At most `limit` commands per member per community in `windowMs`; null: no limit. */
const commandRateLimit = z.object({ limit: z.number().int().min(1), windowMs: z.number().int().min(1000).max(86_400_000) }).nullable();

const communitySettings = z.object({
  locale: locale.optional(),
  timezone: timezone.optional(),
  dayStartHour: hour.optional(),
  rateLimit: z.object({ commands: commandRateLimit.optional() }).optional(),
  /** The community's rules (群规), multi-line, in its language; `/rules set` overrides it. */
  rules: z.string().trim().min(1).optional(),
  /** The community's welcome template; `/rules welcome` overrides it. */
  welcome: welcomeText.optional(),
});

/**
 * Which Discord gateway shards this process runs. Unset: one shard, [0] of 1. 'auto': as many as
 * Discord recommends (GET /gateway/bot), all in this process. A list: those shard ids of
 * `shardCount`, so several gateway processes can split the shards between them.
 */
const discordSharding = {
  shards: z
    .union([z.literal('auto'), z.array(z.number().int('expected a whole number').min(0, 'expected a shard id of 0 or more')).min(1, 'expected at least one shard id')], {
      error: 'expected auto or a list of shard ids such as [0, 1]',
    })
    .optional(),
  /** Total shards across every gateway process of the bot; required with a list, unset with 'auto'. */
  shardCount: z.number().int().min(1).nullable().optional(),
};

function checkSharding(d: { shards?: 'auto' | number[]; shardCount?: number | null }, ctx: z.RefinementCtx): void {
  const count = d.shardCount ?? undefined;
  // Refinements run even when a field failed its own check: say nothing more about a broken value.
  const validCount = count === undefined || (Number.isInteger(count) && count >= 1);
  const validList = d.shards === undefined || d.shards === 'auto' || (Array.isArray(d.shards) && d.shards.length > 0 && d.shards.every((id) => Number.isInteger(id) && id >= 0));
  if (!validCount || !validList) return;
  if (d.shards === undefined) {
    if (count !== undefined) ctx.addIssue({ code: 'custom', path: ['shards'], message: 'required with shardCount: a list of shard ids, or auto (DISCORD_SHARDS)' });
    return;
  }
  if (d.shards === 'auto') {
    if (count !== undefined) ctx.addIssue({ code: 'custom', path: ['shardCount'], message: 'leave unset with shards: auto (the count comes from Discord, GET /gateway/bot)' });
    return;
  }
  if (count === undefined) {
    ctx.addIssue({ code: 'custom', path: ['shardCount'], message: 'required with a list of shards: the total number of shards across all gateway processes (DISCORD_SHARD_COUNT)' });
    return;
  }
  const seen = new Set<number>();
  for (const id of d.shards) {
    if (id >= count) ctx.addIssue({ code: 'custom', path: ['shards'], message: `shard id ${id} is out of range: ids run from 0 to shardCount - 1 (${count - 1})` });
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['shards'], message: `shard id ${id} is listed twice` });
    seen.add(id);
  }
}

function resolveSharding<T extends { shards?: 'auto' | number[]; shardCount?: number | null }>(d: T): Omit<T, 'shards' | 'shardCount'> & { shards: 'auto' | number[]; shardCount: number | null } {
  if (d.shards === undefined) return { ...d, shards: [0], shardCount: 1 };
  return { ...d, shards: d.shards, shardCount: d.shards === 'auto' ? null : (d.shardCount ?? null) };
}

export const configSchema = z.object({
  database: z.object({
    path: z.string().min(1),
    synchronous: z.enum(['full', 'normal']),
    busyTimeoutMs: z.number().int().min(0),
    checkpoint: z.enum(['background', 'inline']).default('inline'),
    /** Who syncs a commit with synchronous=full: SQLite inside the COMMIT (inline) or the thread pool after it (background; needs checkpoint: background). */
    commitSync: z.enum(['background', 'inline']).default('inline'),
    /** PostgreSQL (DATABASE_URL set): connections this process keeps open. */
    poolSize: z.number().int().min(1).max(200).default(10),
  }).superRefine((db, ctx) => {
    if (db.commitSync === 'background' && (db.synchronous !== 'full' || db.checkpoint !== 'background')) {
      ctx.addIssue({ code: 'custom', path: ['commitSync'], message: 'background needs synchronous: full and checkpoint: background (the writer never checkpoints then)' });
    }
  }),
  redis: z.object({
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
    prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -'),
    required: z.boolean(),
  }),
  http: z.object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    bodyLimitBytes: z.number().int().min(1024),
    /** Where a browser reaches the server (the dashboard's login links); null: the address it listens on. */
    // An origin: the dashboard's pages and cookie live at /dashboard on it.
    publicUrl: z.string().regex(/^https?:\/\/[^\s/?#]+\/?$/, 'expected the http(s) origin the server is reached at, such as https://bot.example.com (no path)').nullable(),
  }),
  log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) }),
  /** GET /metrics (Prometheus); its token is the METRICS_TOKEN secret. */
  metrics: z.object({ enabled: z.boolean() }),
  /** Per-member limits; admins are exempt. Overridable per community (community.overrides). */
  rateLimit: z.object({ commands: commandRateLimit }),
  community: z.object({
    defaults: z.object({ timezone, dayStartHour: hour }),
    locale: z.object({ discord: locale, wecom: locale, playground: locale }),
    overrides: z.record(z.string().regex(/^(discord|wecom|playground):.+$/, 'expected "<platform>:<id>"'), communitySettings),
  }),
  checkin: z.object({
    basePoints: z.number().int().min(0).max(100000),
    streakBonuses: z.array(z.object({ days: z.number().int().min(2), points: z.number().int().min(0) })),
    milestones: z.array(z.number().int().min(2)),
    freeze: z.object({ enabled: z.boolean(), cost: z.number().int().min(0), maxHeld: z.number().int().min(1).max(30) }),
  }),
  points: z.object({
    levels: z
      .array(
        z.object({
          min: z.number().int().min(0),
          name: localized,
          /** Perks: a Discord role granted on reaching the level, a badge shown beside the member, percent off shop prices. */
          role: z.string().regex(/^\d{15,25}$/, 'a Discord role id').optional(),
          badge: z
            .string()
            .trim()
            .min(1, 'expected a short text or emoji, 1 to 8 characters')
            .refine((b) => [...b].length <= 8, 'expected a short text or emoji, 1 to 8 characters')
            .refine((b) => !/[\p{Cc}\p{Zl}\p{Zp}<>*`|[\]@\\]/u.test(b), 'no line breaks, markup or mention characters (< > * ` | [ ] @ \\)')
            .optional(),
          shopDiscount: z.number({ error: 'expected a whole percent from 0 to 100' }).int('expected a whole percent from 0 to 100').min(0, 'expected a whole percent from 0 to 100').max(100, 'expected a whole percent from 0 to 100').optional(),
        }),
      )
      .min(1)
      .refine((l) => l[0]?.min === 0, { message: 'the first level must start at 0' })
      .refine((l) => l.every((x, i) => i === 0 || x.min > (l[i - 1]?.min ?? -1)), { message: 'levels must be sorted by min, ascending' }),
    maxAdjust: z.number().int().min(1),
    /** removeWhenBelow: a member whose level drops (an admin's /deduct) loses the roles of the levels no longer held. */
    levelRoles: z.object({ removeWhenBelow: z.boolean() }).default({ removeWhenBelow: false }),
  }),
  leaderboard: z.object({ size: z.number().int().min(1).max(50) }),
  posts: z.object({
    promoMaxShare: z.number().min(0).max(1).nullable(),
    /** Posts the bot makes on its own schedule per community day; null turns the cap off. */
    dailyCap: z.number().int().min(1).nullable(),
    /** Most community days in a row that may carry a #promo post; null turns the rule off. */
    promoMaxConsecutiveDays: z.number().int().min(1).nullable(),
    minIntervalSeconds: z.number().int().min(1),
  }),
  quiz: z.object({
    /** Folder of question banks (*.yaml, *.yml, *.csv), relative to the project root. */
    banksDir: z.string().min(1),
    /** Used when /quiz start does not say; seconds null: each question's own time from the bank. */
    defaults: z.object({
      bank: z.string().min(1),
      questions: z.number().int().min(1),
      seconds: z.number().int().min(1).max(600).nullable(),
      mode: z.enum(['first', 'all']),
    }),
    minSeconds: z.number().int().min(1).max(600),
    maxSeconds: z.number().int().min(1).max(3600),
    maxQuestions: z.number().int().min(1).max(200),
    shuffle: z.boolean(),
    /** mode=all: up to this share (0-1) of a question's points added for a fast answer. */
    speedBonus: z.number().min(0).max(1),
  }),
  shop: z
    .object({
      /** Shop items per community from a YAML file (src/features/shop/items-file.ts), relative to the project root; synced at start; null: none. */
      itemsFile: z.string().min(1).nullable(),
    })
    .default({ itemsFile: null }),
  lottery: z.object({
    maxWinners: z.number().int().min(1).max(1000),
    milestoneEntries: z.array(z.number().int().min(1)),
    /** A member's first join gives a free entry to the community's newest open lottery. */
    newcomerEntry: z.boolean(),
    /** Item prizes: hours a winner has to claim (/claim) when `claim=` is not given; 0: no deadline. */
    claimHours: z.number().int().min(0).max(8760),
    /** An item prize unclaimed at its deadline is rerolled automatically (else an admin runs /lottery reroll); `reroll=` overrides it. */
    autoReroll: z.boolean(),
  }),
  polls: z.object({
    /** On Discord, post a poll that fits Discord's native polls as one (else buttons). */
    discordNative: z.boolean(),
  }),
  lifecycle: z.object({
    rules: z.object({
      /** The welcome carries an "I accept the rules" action; unaccepted members are reminded once. */
      acceptance: z.boolean(),
      reminderSeconds: z.number().int().min(60),
      /** With acceptance on: members who have not accepted earn no points / cannot join lotteries (admins exempt). */
      gate: z.object({ points: z.boolean(), lotteries: z.boolean() }),
      /** Default rules (群规) per language, shown by /rules and in the welcome; null: none. */
      text: z.object({ 'zh-CN': z.string().trim().min(1), en: z.string().trim().min(1) }).partial().nullable(),
    }),
    welcome: z.object({
      enabled: z.boolean(),
      delaySeconds: z.number().int().min(0).max(55),
      batchThreshold: z.number().int().min(1),
      newcomerBonus: z.number().int().min(0),
      text: z.object({ 'zh-CN': welcomeText, en: welcomeText }).nullable(),
    }),
    followups: z.object({
      offsetsSeconds: z.array(z.number().int().min(1)),
      tips: z.array(z.enum(TIPS)),
      texts: z.object({ checkin: localized, chat: localized, streak: localized, points: localized }).partial(),
    }),
    activity: z.object({
      pointsPerMessage: z.number().int().min(0),
      cooldownSeconds: z.number().int().min(0),
      minLength: z.number().int().min(0),
      dailyCap: z.number().int().min(0),
      newMemberDays: z.number().int().min(0),
      newMemberRate: z.number().min(0).max(1),
      dailyEarnCap: z.number().int().min(0),
      farmingMinDays: z.number().int().min(1).max(7),
      pointsForAddressed: z.boolean(),
    }),
    segments: z.object({
      newDays: z.number().int().min(1),
      activeDays: z.number().int().min(1).max(7),
      coreDays: z.number().int().min(1).max(30),
      corePoints: z.number().int().min(0),
      silentDays: z.number().int().min(1),
    }),
    nudges: z.object({
      enabled: z.boolean(),
      onMentionOnlyPlatforms: z.boolean(),
      cron: z.string().min(1),
      timezone,
      cooldownDays: z.number().int().min(0),
      maxMentions: z.number().int().min(1).max(50),
      effectDays: z.number().int().min(1),
      text: localized.nullable(),
    }),
  }),
  analytics: z.object({
    rollup: z.object({ cron: z.string().min(1), timezone }),
    retainDays: z.number().int().min(60),
    rawRetainDays: z.number().int().min(60),
    alerts: z.object({
      enabled: z.boolean(),
      activeRateBelow: z.number().min(0).max(1),
      weekDropAbove: z.number().min(0).max(1),
      minMembers: z.number().int().min(0),
      windowSeconds: z.number().int().min(10).max(86_400),
      leaves: z.number().int().min(0),
      joins: z.number().int().min(0),
      recipients: z.record(z.string().regex(/^(discord|wecom|playground):.+$/, 'expected "<platform>:<id>"'), z.array(z.string().min(1))),
    }),
    /** The weekly report (周报) to the admins (src/features/analytics/report.ts). */
    weeklyReport: z.object({
      enabled: z.boolean(),
      weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']),
      /** HH:MM in the community's timezone. */
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM"'),
      /** Discord guild id → the admin channel the report goes to (else direct messages to analytics.alerts.recipients). */
      discordChannel: z.record(z.string().regex(/^\d{15,22}$/, 'expected a guild id'), z.string().regex(/^\d{15,22}$/, 'expected a channel id')),
      /** WeCom chat id → the admin group whose bound webhook gets the report (when the admins cannot get app messages). */
      wecomAdminGroup: z.record(z.string().min(1), z.string().min(1)),
      /** Where the chart's font files (converted from the bundled Noto Sans SC) are cached; null: the system's temporary folder. */
      fontCacheDir: z.string().min(1).nullable(),
    }),
  }),
  /** The admin dashboard (src/features/dashboard, src/http/dashboard.ts); its operator token is the DASHBOARD_TOKEN secret. */
  dashboard: z.object({
    enabled: z.boolean(),
    linkMinutes: z.number().int().min(1).max(24 * 60),
    sessionHours: z.number().int().min(1).max(24 * 30),
    days: z.number().int().min(7).max(400),
  }),
  /** Moderation (群管理): the word filter, strikes and the ladder (src/features/moderation). */
  moderation: z.object({
    enabled: z.boolean(),
    /** The default word list (format in src/features/moderation/wordlist.ts); null: none. */
    listFile: z.string().min(1).nullable(),
    strikeDays: z.number().int().min(1).max(365),
    ladder: z.array(z.enum(['warn', 'timeout', 'kick'])).min(1).max(10),
    deleteMessages: z.boolean(),
    timeoutMinutes: z.number().int().min(1).max(40320),
    /** Keep Discord AutoMod rules in sync with the word list and the mention limit (needs Manage Server; off: the bot's filter only). */
    discordAutomod: z.boolean(),
    /** Flood and spam rules (src/features/moderation/spam.ts); 0 turns a rule off. */
    spam: z.object({
      flood: z.object({ messages: z.number().int().min(0), seconds: z.number().int().min(1).max(3600) }),
      repeats: z.object({ count: z.number().int().min(0), seconds: z.number().int().min(1).max(86_400) }),
      mentions: z.number().int().min(0),
      links: z.object({
        newMemberHours: z.number().min(0),
        allow: z.array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'expected a domain, e.g. example.com')),
      }),
    }),
  }),
  jobs: z.object({
    concurrency: z.object({ timers: z.number().int().min(1), schedules: z.number().int().min(1), outbox: z.number().int().min(1) }),
    lockDurationMs: z.number().int().min(1000),
    stalledIntervalMs: z.number().int().min(1000),
    reconcileIntervalMs: z.number().int().min(1000),
    missedTickGraceMs: z.number().int().min(0),
    outbox: z.object({ attempts: z.number().int().min(1).max(50), backoffMs: z.number().int().min(10) }),
  }),
  shutdown: z.object({ timeoutMs: z.number().int().min(100) }),
  playground: z.object({
    enabled: z.union([z.boolean(), z.literal('auto')]),
    /** Playground user ids with admin rights (never display names). */
    admins: z.array(z.string().trim().min(1)),
    clockControls: z.boolean(),
    rateLimit: z.object({ limit: z.number().int().min(1), windowMs: z.number().int().min(100) }).nullable(),
  }),
  wecom: z.object({
    admins: z.array(z.string()),
    /** The bot's display names as members type them after '@' (stripped from group messages). */
    botNames: z.array(z.string()),
    /** Group chat id → group-robot webhook key (or full webhook URL); `/bind` in the group overrides. */
    webhooks: z.record(z.string().min(1), z.string().min(1)),
    /** Community that 1:1 messages act in; null gives each member a community of their own. */
    defaultCommunity: z.string().min(1).nullable(),
    /** How long a callback waits for the reply before answering empty and replying through response_url. */
    passiveReplyMs: z.number().int().min(100).max(4500),
    /** Member ids handled from one customer-group change event (the rest are ignored, with a warning). */
    maxMemberChanges: z.number().int().min(1).max(100_000),
  }),
  discord: z.object({
    /** Read text commands from guild messages (needs the privileged Message Content intent). */
    textCommands: z.boolean(),
    /** Guild id → channel id for bot-initiated posts. */
    channels: z.record(z.string().regex(/^\d{15,22}$/, 'expected a guild id'), z.string().regex(/^\d{15,22}$/, 'expected a channel id')),
    /** Role ids whose members are admins, besides Manage Server. */
    adminRoles: z.array(z.string().regex(/^\d{15,22}$/, 'expected a role id')),
    /** Guild id → role id granted when a member accepts the rules (/accept). */
    rulesRoles: z.record(z.string().regex(/^\d{15,22}$/, 'expected a guild id'), z.string().regex(/^\d{15,22}$/, 'expected a role id')),
    ...discordSharding,
  }).superRefine(checkSharding).transform(resolveSharding),
});

export type Config = z.infer<typeof configSchema>;

/** Secrets and platform switches, from the environment only. */
export interface Secrets {
  discordToken?: string;
  discordApiUrl: string;
  discordGuildIds: string[];
  wecomBotToken?: string;
  wecomBotAesKey?: string;
  wecomCorpId?: string;
  wecomToken?: string;
  wecomAesKey?: string;
  wecomSecret?: string;
  wecomAgentId?: string;
  wecomApiUrl: string;
  wecomAdmins: string[];
  /** Intelligent bot long-connection mode (@wecom/aibot-node-sdk). */
  wecomBotId?: string;
  wecomBotSecret?: string;
  wecomBotWsUrl?: string;
  playgroundToken?: string;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`; unset, it answers loopback only. */
  metricsToken?: string;
  /** An operator's key to the dashboard for every community (Bearer, or /dashboard/login?token= once). */
  dashboardToken?: string;
  /** postgres://…: the PostgreSQL engine; unset: SQLite at database.path. Holds a password, so it is a secret. */
  databaseUrl?: string;
}

export interface AppConfig {
  config: Config;
  secrets: Secrets;
}
