/**
 * The composition root: builds the store, the features (listed by hand),
 * the command registry, the router and the HTTP server, and wires ports
 * (clock, rng, logger) into them. No module-level singletons: a test can
 * build several apps in one process.
 */
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from './config/schema.js';
import { systemClock, type Clock } from './core/clock.js';
import { platformCapabilities } from './core/capabilities.js';
import { cryptoRng, type Rng } from './core/rng.js';
import { CommandRegistry } from './core/commands/registry.js';
import type { CommandContext } from './core/context.js';
import type { Feature } from './core/feature.js';
import { I18n } from './core/i18n.js';
import { coreMessages } from './core/messages.js';
import { createIdentityRepo } from './core/identity/repo.js';
import { IdentityService, type CommunitySettings } from './core/identity/service.js';
import { createInboundRepo } from './core/inbound/repo.js';
import { Router } from './core/router.js';
import type { Platform } from './core/chat-event.js';
import { createHttpServer, type HealthPart } from './http/server.js';
import { createLogger, type Logger } from './logging.js';
import { openStore, type Store } from './store/db.js';
import { createCheckin, streakProfileLine, type CheckinService } from './features/checkin/index.js';
import { createPoints, levelRoleGranter, levelRoleRemover, levelUpPoster, type PointsService } from './features/points/index.js';
import { helpFeature } from './features/help/index.js';
import { createPlaygroundFeed, type PlaygroundFeed } from './platforms/playground/feed.js';
import { registerPlayground } from './platforms/playground/routes.js';
import { playgroundSender } from './platforms/playground/sender.js';
import { savedOffsetClock } from './platforms/playground/clock.js';
import { senderAutomod, senderModerator, senderPolls, senderRoles, type Sender } from './core/sender.js';
import type { Adapter, AdapterDeps } from './platforms/adapter.js';
import { createOutboxRepo } from './core/outbox/repo.js';
import { Outbox } from './core/outbox/service.js';
import { createSchedule, type ScheduleService } from './features/schedule/index.js';
import { JobRuntime, type Role } from './jobs/runtime.js';
import { createJobsRepo } from './jobs/repo.js';
import { createSettingsRepo } from './core/settings/repo.js';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWecomBindings, wecomBindingFeature } from './platforms/wecom/bindings.js';
import { createLottery, type LotteryService } from './features/lottery/index.js';
import { createPoll, type PollService } from './features/poll/index.js';
import { createShop, loadItemsFile, type ShopService } from './features/shop/index.js';
import { rootPath } from './config/load.js';
import { isAbsolute } from 'node:path';
import { createModeration, type ModerationService } from './features/moderation/index.js';
import type { Timers } from './core/ports.js';
import { createQuiz, type QuizService } from './features/quiz/index.js';
import { createLifecycle, lifecycleStatsSubcommands, type LifecycleService } from './features/lifecycle/index.js';
import { createAnalytics, type AnalyticsService, type WeeklyReports } from './features/analytics/index.js';
import { createReportFonts } from './features/analytics/report-fonts.js';
import { createChartRenderer } from './features/analytics/report-render.js';
import { createDashboard, type DashboardService } from './features/dashboard/index.js';
import { registerDashboard } from './http/dashboard.js';
import { PromMetrics } from './ops/metrics.js';
import { noMetrics, type Metrics } from './core/metrics.js';
import { createRateLimitRepo } from './core/ratelimit/repo.js';
import { CommandLimiter } from './core/ratelimit/limiter.js';

export interface AppOptions {
  appConfig: AppConfig;
  logger?: Logger;
  /** Defaults to the system clock (adjustable when the playground's clock controls are on). */
  clock?: Clock;
  rng?: Rng;
  /** 'all' (default): adapters, HTTP and workers; 'gateway': adapters and HTTP; 'worker': workers only. */
  role?: Role;
  /** Extra or replacement senders by platform (tests use failing targets). */
  senders?: Sender[];
  /** Platform adapters, built by the caller from the secrets (src/platforms). */
  adapters?: (deps: AdapterDeps) => Adapter[];
}

export interface App {
  appConfig: AppConfig;
  logger: Logger;
  clock: Clock;
  rng: Rng;
  store: Store;
  i18n: I18n;
  registry: CommandRegistry;
  router: Router;
  http: FastifyInstance;
  identity: IdentityService;
  points: PointsService;
  checkin: CheckinService;
  schedule: ScheduleService;
  lottery: LotteryService;
  poll: PollService;
  shop: ShopService;
  lifecycle: LifecycleService;
  moderation: ModerationService;
  quiz: QuizService;
  /** The AutoMod sync started with the app (tests wait on it). */
  automodSynced(): Promise<void>;
  analytics: AnalyticsService;
  weeklyReports: WeeklyReports;
  dashboard: DashboardService;
  outbox: Outbox;
  jobs: JobRuntime;
  adapters: Adapter[];
  senders: Map<Platform, Sender>;
  playground?: { feed: PlaygroundFeed };
  /** This app's own metrics registry (absent with metrics.enabled false); GET /metrics scrapes it. */
  metrics?: PromMetrics;
  start(): Promise<{ url: string }>;
  /**
   * Stop taking work, let running work finish, close everything. With a deadline,
   * a part that has not closed by then is left behind and named in `unclosed`.
   */
  stop(options?: { deadlineMs?: number }): Promise<{ unclosed: string[] }>;
}

/**
 * This deployment's id, created in its database on first start: part of the
 * Redis key prefix, so processes on one database share queues and two
 * databases on one Redis never do.
 */
async function deploymentInstanceId(store: Store, clock: Clock): Promise<string> {
  const settings = createSettingsRepo(store.sql);
  const { value } = await store.unit(() => settings.claim('deployment.instanceId', randomBytes(6).toString('hex'), clock.now()));
  return String(value);
}

/**
 * The key that signs dashboard links and sessions (features/dashboard/token.ts):
 * derived from DASHBOARD_TOKEN when the deployment has one, else generated
 * once and kept in the settings table, so every process on the database
 * verifies what another issued.
 */
async function dashboardKey(store: Store, clock: Clock, operatorToken: string | undefined): Promise<Buffer> {
  if (operatorToken !== undefined) return createHmac('sha256', operatorToken).update('qunbot dashboard signing key').digest();
  const settings = createSettingsRepo(store.sql);
  const { value } = await store.unit(() => settings.claim('dashboard.signingKey', randomBytes(32).toString('hex'), clock.now()));
  return Buffer.from(String(value), 'hex');
}

/**
 * Runs each closing step in turn; once the deadline has passed, the steps still
 * running or not yet run are named (the database is closed by the caller
 * afterwards).
 */
async function closeInOrder(parts: Array<[string, () => Promise<unknown>]>, deadlineMs: number | undefined): Promise<string[]> {
  const end = deadlineMs === undefined ? Infinity : performance.now() + deadlineMs;
  const unclosed: string[] = [];
  for (const [name, close] of parts) {
    const left = end - performance.now();
    if (left <= 0) {
      unclosed.push(name);
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = Number.isFinite(left) ? new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), left))) : new Promise<never>(() => undefined);
    const outcome = await Promise.race([close().then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'late') unclosed.push(name);
  }
  return unclosed;
}

export function playgroundEnabled(appConfig: AppConfig): boolean {
  const { config, secrets } = appConfig;
  if (config.playground.enabled !== 'auto') return config.playground.enabled;
  const anyPlatform = secrets.discordToken !== undefined || secrets.wecomBotToken !== undefined || secrets.wecomCorpId !== undefined || secrets.wecomBotId !== undefined;
  return !anyPlatform;
}

export async function createApp(options: AppOptions): Promise<App> {
  const { appConfig } = options;
  const { config, secrets } = appConfig;
  const logger = options.logger ?? createLogger(config.log.level);
  const withPlayground = playgroundEnabled(appConfig);
  // The shop's items file is checked before anything opens: a bad file refuses to start (ItemsFileError, file:line).
  const shopItemsFile = config.shop.itemsFile;
  const fileItems =
    shopItemsFile === null
      ? undefined
      : loadItemsFile(isAbsolute(shopItemsFile) ? shopItemsFile : rootPath(shopItemsFile), (key) => config.community.overrides[key]?.timezone ?? config.community.defaults.timezone);
  const store = await openStore(
    secrets.databaseUrl
      ? { engine: 'postgres', url: secrets.databaseUrl, poolSize: config.database.poolSize }
      : {
          path: config.database.path,
          synchronous: config.database.synchronous,
          busyTimeoutMs: config.database.busyTimeoutMs,
          checkpoint: config.database.checkpoint,
          commitSync: config.database.commitSync,
          onCheckpointError: (err) => logger.warn({ err }, 'WAL checkpointer'),
        },
  );
  // The playground's clock offset applies on every start on this database (its rows are dated by it),
  // whether or not the page may still move it.
  const saved = options.clock ? undefined : await savedOffsetClock(store);
  const adjustable = saved && withPlayground && config.playground.clockControls ? saved : undefined;
  const clock = options.clock ?? saved ?? systemClock;
  if (saved?.offset) logger.info({ offsetHours: saved.offset / 3_600_000 }, 'the bot clock runs ahead of the system clock by the playground offset saved in the database');
  const rng = options.rng ?? cryptoRng;

  const settingsFor = (platform: Platform, externalId: string): CommunitySettings => {
    const override = config.community.overrides[`${platform}:${externalId}`] ?? {};
    return {
      locale: override.locale ?? config.community.locale[platform],
      timezone: override.timezone ?? config.community.defaults.timezone,
      dayStartHour: override.dayStartHour ?? config.community.defaults.dayStartHour,
    };
  };
  const identity = new IdentityService(createIdentityRepo(store.sql), settingsFor);
  const role = options.role ?? 'all';
  const outboxRepo = createOutboxRepo(store.sql);
  const senders = new Map<Platform, Sender>();
  // The job runtime is the Timers port (features never see BullMQ); features need the port
  // before the runtime, which needs the features, exists.
  const late: { jobs?: JobRuntime } = {};
  const runtime = (): JobRuntime => late.jobs as JobRuntime;
  const timers: Timers = {
    available: () => late.jobs?.available() ?? false,
    at: (...a) => runtime().at(...a),
    cancel: (...a) => runtime().cancel(...a),
    every: (...a) => runtime().every(...a),
    stopEvery: (...a) => runtime().stopEvery(...a),
    deliver: (...a) => runtime().deliver(...a),
  };
  const outbox = new Outbox(outboxRepo, timers);
  const i18n = new I18n();
  const localeOf = async (communityId: number) => (await identity.communityById(communityId))?.locale ?? 'zh-CN';
  const translateFor = async (communityId: number) => i18n.translator(await localeOf(communityId));
  // Platform capabilities, looked up when used (adapters register their senders after the features).
  const senderOf = async (communityId: number) => {
    const community = await identity.communityById(communityId);
    return community ? { community, sender: senders.get(community.platform) } : undefined;
  };
  const capabilitiesOf = async (communityId: number) => platformCapabilities((await identity.communityById(communityId))?.platform ?? 'playground');
  const canDirect = async (communityId: number): Promise<boolean> => (await senderOf(communityId))?.sender?.sendDirect !== undefined;
  const rulesAccepted = async (communityId: number, platformUserId: string): Promise<void> => {
    const found = await senderOf(communityId);
    await found?.sender?.rulesAccepted?.(found.community, platformUserId);
  };
  const wecomBindings = createWecomBindings(store.sql, secrets.wecomApiUrl, config.wecom.webhooks);
  // /help reads the registry, which is built from the features (help among them).
  const built: { registry?: CommandRegistry } = {};
  // Each feature is assembled the same way: create<Name>({ store, ...named dependencies }) → { service, feature }.
  const postLevelUp = levelUpPoster({ outbox, i18n, member: (id) => identity.memberById(id), locale: localeOf });
  // Roles on the community's platform (Discord): shop role items and level perks, one port.
  const roles = senderRoles(senderOf);
  const levelLog = logger.child({ component: 'level-roles' });
  const levelRoles = config.points.levels.some((l) => l.role !== undefined);
  const levelRoleLog = (what: string) => (err: unknown, about: { communityId: number; memberId: number; roleId: string }) =>
    levelLog.warn({ ...about, err: err instanceof Error ? err.message : String(err) }, `could not ${what} a level role (the bot needs Manage Roles and a role above it)`);
  const grantLevelRoles = levelRoles ? levelRoleGranter({ roles, member: (id) => identity.memberById(id), onError: levelRoleLog('grant') }) : undefined;
  const removeLevelRoles = levelRoles && config.points.levelRoles.removeWhenBelow ? levelRoleRemover({ roles, member: (id) => identity.memberById(id), onError: levelRoleLog('remove') }) : undefined;
  // /points shows check-in's streak line; check-in is built after points (it awards through them), so the list is read when /points runs.
  const points = createPoints({ store, levels: config.points.levels, postLevelUp, grantLevelRoles, removeLevelRoles, leaderboardSize: config.leaderboard.size, maxAdjust: config.points.maxAdjust, profileLines: () => profileLines });
  const checkin = createCheckin({ store, points: points.service, rules: config.checkin });
  const profileLines = [streakProfileLine(checkin.service)];
  const schedule = createSchedule({ store, outbox, timers, rules: config.posts, logger: logger.child({ component: 'schedule' }) });
  const shop = createShop({ store, points: points.service, outbox, timers, roles, itemsFile: shopItemsFile });
  if (fileItems !== undefined) {
    const synced = await shop.service.syncItemsFile(fileItems, clock.now(), async (platform, externalId) => (await identity.community({ platform, externalId }, clock.now())).id);
    logger.info({ file: shopItemsFile, ...synced }, 'shop items synced from the items file');
  }
  // Lottery prizes are shop orders: one admins' queue, one way to deliver a code privately.
  // A calendar post (posts the bot makes on its own, counted by the daily cap): scheduled posts, quiz openings, lottery reminders.
  const calendarPosts = { check: (ctx: CommandContext, added: Date[]) => schedule.service.checkCalendar(ctx, added, false), dayIsFull: (communityId: number, timezone: string, now: Date) => schedule.service.dayIsFull(communityId, timezone, now) };
  const lottery = createLottery({
    store,
    outbox,
    timers,
    points: points.service,
    checkin: checkin.service,
    shop: shop.service,
    rng,
    rules: config.lottery,
    translate: translateFor,
    communityById: (id) => identity.communityById(id),
    // Warm-up reminders (remind=3d,1d,1h) are calendar posts.
    calendar: calendarPosts,
    logger: logger.child({ component: 'lottery' }),
  });
  schedule.service.addCalendarSource((communityId, from, to, now) => lottery.service.calendarFirings(communityId, from, to, now));
  const poll = createPoll({
    store,
    outbox,
    timers,
    rng,
    translate: translateFor,
    levelOf: async (memberId) => (await points.service.standing(memberId)).level.index,
    // Discord's native polls for the polls that fit them (polls.discordNative); buttons for the rest.
    nativePolls: senderPolls(senderOf),
    useNativePolls: config.polls.discordNative,
    communityById: (id) => identity.communityById(id),
    logger: logger.child({ component: 'poll' }),
  });
  const quiz = createQuiz({
    store,
    outbox,
    timers,
    points: points.service,
    rng,
    config: config.quiz,
    logger: logger.child({ component: 'quiz' }),
    communityLocale: localeOf,
    // A scheduled quiz's openings are posts the bot makes on its own: the content calendar counts them.
    calendar: calendarPosts,
  });
  schedule.service.addCalendarSource((communityId, from, to, now) => quiz.service.calendarFirings(communityId, from, to, now));
  const lifecycle = createLifecycle({
    store,
    outbox,
    timers,
    points: points.service,
    checkin: checkin.service,
    config: config.lifecycle,
    communityById: (id) => identity.communityById(id),
    translate: translateFor,
    canDirect,
    capabilities: capabilitiesOf,
    rulesAccepted,
    configuredTexts: (community) => config.community.overrides[`${community.platform}:${community.externalId}`] ?? {},
  });
  // The dashboard's links point at the public URL, else at the address the server listens on (known once started).
  const listening: { url?: string } = {};
  const dashboard = createDashboard({
    store,
    outbox,
    config: config.dashboard,
    key: await dashboardKey(store, clock, secrets.dashboardToken),
    baseUrl: () => config.http.publicUrl ?? listening.url ?? `http://${config.http.host}:${config.http.port}`,
    communityById: (id) => identity.communityById(id),
    translate: (locale) => i18n.translator(locale),
    seesAllMessages: async (id) => (await capabilitiesOf(id)).seesAllMessages,
    queueHealth: () => (role === 'gateway' ? 'disabled' : jobs.health()),
    calendar: async (communityId, from, to, now) => ({ firings: await schedule.service.firings(communityId, from, to, now), rules: config.posts }),
    analytics: () => analytics.service,
  });
  const analytics = createAnalytics({
    store,
    outbox,
    config: config.analytics,
    communityById: (id) => identity.communityById(id),
    translate: translateFor,
    canDirect,
    capabilities: capabilitiesOf,
    statsSubcommands: [...lifecycleStatsSubcommands(lifecycle.service), dashboard.statsSubcommand],
    weeklyReport: config.analytics.weeklyReport,
    renderChart: createChartRenderer(createReportFonts(config.analytics.weeklyReport.fontCacheDir ?? join(tmpdir(), 'qunbot-fonts'))),
  });
  const moderation = createModeration({
    store,
    outbox,
    config: config.moderation,
    moderator: senderModerator(senderOf),
    alertAdmins: (community, text, key, at, afterCommit) => analytics.service.alertAdmins(community, text, key, at, afterCommit, 'moderation-alert'),
    // Discord AutoMod: rules kept in sync with the word list, its action events counted as strikes.
    automod: senderAutomod(senderOf),
    translate: translateFor,
    resolve: async (ref, platformUserId, displayName, now) => {
      const community = await identity.community(ref, now);
      return { community, member: await identity.member(community, { platformUserId, displayName, isAdmin: false }, now) };
    },
    logger: logger.child({ component: 'moderation' }),
  });
  const features: Feature[] = [
    checkin.feature,
    points.feature,
    schedule.feature,
    quiz.feature,
    lottery.feature,
    poll.feature,
    shop.feature,
    lifecycle.feature,
    analytics.feature,
    dashboard.feature,
    moderation.feature,
    wecomBindingFeature(wecomBindings, secrets.wecomApiUrl),
    helpFeature(() => built.registry as CommandRegistry),
  ];
  i18n.add(coreMessages);
  for (const feature of features) if (feature.messages) i18n.add(feature.messages);
  const registry = new CommandRegistry(features.flatMap((f) => f.commands ?? []));
  built.registry = registry;
  const inbound = createInboundRepo(store.sql);
  const promMetrics = config.metrics.enabled
    ? new PromMetrics({ databaseUp: () => store.ping(), redisUp: () => jobs.health() === 'up', unitRetries: () => store.unitRetries(), outboxPending: () => outboxRepo.pendingByPlatform() })
    : undefined;
  const metrics: Metrics = promMetrics ?? noMetrics;
  const rateLimits = createRateLimitRepo(store.sql);
  const limiter = new CommandLimiter(rateLimits, (platform, externalId) => {
    const override = config.community.overrides[`${platform}:${externalId}`]?.rateLimit?.commands;
    return override !== undefined ? override : config.rateLimit.commands;
  });
  const router = new Router({ store, identity, inbound, registry, i18n, clock, features, logger: logger.child({ component: 'router' }), limiter, metrics });
  const jobsRepo = createJobsRepo(store.sql);
  const instanceId = await deploymentInstanceId(store, clock);
  const jobs = new JobRuntime({
    redisUrl: config.redis.url,
    prefix: config.redis.prefix,
    instanceId,
    jobsRepo,
    role,
    settings: config.jobs,
    features,
    store,
    identity,
    outbox: outboxRepo,
    senders: () => senders,
    clock,
    logger,
    // Dedupe keys only need to outlive platform retries and gateway replays (minutes); keep two weeks.
    // Rate-limit windows last seconds; a day-old one has long ended.
    housekeeping: async (now) => {
      const { value: pruned } = await store.unit(() => inbound.pruneBefore(now.getTime() - 14 * 86_400_000));
      if (pruned) logger.info({ pruned }, 'pruned old inbound dedupe keys');
      await store.unit(() => rateLimits.pruneBefore(now.getTime() - 86_400_000));
      await store.unit(() => moderation.service.pruneRates(now));
    },
    metrics,
  });
  late.jobs = jobs;
  const adapters: Adapter[] = [];

  const health: HealthPart[] = [
    {
      name: store.dialect,
      required: true,
      check: async () => ((await store.ping()) ? 'up' : 'down'),
    },
    { name: 'redis', required: config.redis.required, check: () => jobs.health() },
    { name: 'playground', required: false, check: () => (withPlayground ? 'up' : 'disabled') },
  ];
  const http = createHttpServer({
    bodyLimit: config.http.bodyLimitBytes,
    logger,
    health: () => health,
    home: withPlayground && role !== 'worker' ? '/playground' : undefined,
    metrics: promMetrics && { scrape: () => promMetrics.scrape(), token: secrets.metricsToken },
  });

  if (config.dashboard.enabled && role !== 'worker') {
    registerDashboard(http, { service: dashboard.service, operatorToken: secrets.dashboardToken, now: () => clock.now(), secureCookie: (config.http.publicUrl ?? '').startsWith('https:') });
  }

  let playground: App['playground'];
  if (withPlayground) {
    const feed = createPlaygroundFeed(store.sql);
    playground = { feed };
    if (role !== 'worker') registerPlayground(http, { router, feed, admins: config.playground.admins, token: secrets.playgroundToken, clock: adjustable, now: () => clock.now() });
    senders.set('playground', playgroundSender(feed, store, clock, config.playground.rateLimit));
  }

  let started = false;
  let automodSynced: Promise<void> = Promise.resolve();
  const app: App = {
    appConfig,
    logger,
    clock,
    rng,
    store,
    i18n,
    registry,
    router,
    http,
    identity,
    points: points.service,
    checkin: checkin.service,
    schedule: schedule.service,
    lottery: lottery.service,
    poll: poll.service,
    shop: shop.service,
    lifecycle: lifecycle.service,
    moderation: moderation.service,
    quiz: quiz.service,
    automodSynced: () => automodSynced,
    analytics: analytics.service,
    weeklyReports: analytics.reports,
    dashboard: dashboard.service,
    outbox,
    jobs,
    adapters,
    senders,
    playground,
    metrics: promMetrics,
    async start() {
      await jobs.start();
      let address = '';
      if (role !== 'worker') {
        for (const adapter of adapters) adapter.registerRoutes?.(http);
        address = await http.listen({ host: config.http.host, port: config.http.port });
        listening.url = address;
        if (config.dashboard.enabled && config.http.publicUrl === null && !/^http:\/\/(127\.|\[::1\]|localhost)/.test(address)) {
          logger.warn({ address }, 'dashboard links point at the address the server listens on; set http.publicUrl (HTTP_PUBLIC_URL) to where browsers reach it');
        }
        for (const adapter of adapters) await adapter.start();
        // AutoMod rules of the communities already known (REST only; a failure is recorded and alerted, never fatal).
        automodSynced = moderation.service.syncAllAutomod(clock.now()).catch((err: unknown) => logger.warn({ err }, 'AutoMod sync at start failed'));
      }
      started = true;
      logger.info({ role, address: address || undefined, playground: withPlayground && address ? `${address}/playground` : 'off', adapters: adapters.map((a) => a.name) }, 'qunbot is up');
      return { url: address };
    },
    async stop(stopOptions = {}) {
      // Stop taking new work first (adapters, HTTP), then let running jobs finish; the database last.
      const parts: Array<[string, () => Promise<unknown>]> = [
        ...adapters.map((adapter): [string, () => Promise<unknown>] => [adapter.name, () => adapter.stop().catch((err: unknown) => logger.warn({ err, adapter: adapter.name }, 'adapter stop failed'))]),
        ['http', () => (started && role !== 'worker' ? http.close() : Promise.resolve())],
        ['timers (redis)', () => jobs.stop()],
      ];
      const unclosed = await closeInOrder(parts, stopOptions.deadlineMs);
      started = false;
      await store.close();
      return { unclosed };
    },
  };
  const adapterDeps: AdapterDeps = {
    config,
    secrets,
    router,
    commands: registry.commands,
    i18n,
    logger,
    clock,
    unit: (fn) => store.unit(fn),
    wecomBindings,
    instanceId,
    automodExecuted: async (execution) => {
      await moderation.service.onAutomodExecution(execution, clock.now());
    },
  };
  for (const adapter of options.adapters?.(adapterDeps) ?? []) {
    adapters.push(adapter);
    if (adapter.sender) senders.set(adapter.sender.platform, adapter.sender);
    health.push({ name: adapter.name, required: true, check: () => adapter.health() });
  }
  for (const sender of options.senders ?? []) senders.set(sender.platform, sender);
  return app;
}
