/**
 * The router: one path for every inbound event. It cleans names and checks
 * ids (identity/sanitize.ts), claims the delivery's dedupe key (scoped to the
 * community and its author), resolves community and member, parses and checks the command,
 * runs the feature inside ONE write transaction, stores the reply for
 * retries, then runs the after-commit work (timers, posts).
 */
import type { Logger } from 'pino';
import type { ChatEvent } from './chat-event.js';
import type { Clock } from './clock.js';
import { communityDay } from './community-day.js';
import type { AfterCommit, CommandContext, CommunityInfo, MemberInfo } from './context.js';
import { UserError } from './errors.js';
import type { Feature, EventListener, ListenerName } from './feature.js';
import type { I18n } from './i18n.js';
import type { Reply } from './reply.js';
import { type CommandRegistry, type Invocation, resolveArgs, type TextParse } from './commands/registry.js';
import { isAvailable } from './commands/spec.js';
import type { IdentityService } from './identity/service.js';
import type { InboundRepo } from './inbound/repo.js';
import { noMetrics, type CommandOutcome, type Metrics } from './metrics.js';
import type { CommandLimiter } from './ratelimit/limiter.js';
import { sanitizeEvent } from './identity/sanitize.js';
import type { Store, UnitOptions } from '../store/db.js';
import type { Committed } from '../store/group-commit.js';

export interface RouteResult {
  replies: Reply[];
  /** The delivery was seen before; `replies` are the stored ones (possibly empty). */
  duplicate: boolean;
}

export interface RouterDeps {
  store: Store;
  identity: IdentityService;
  inbound: InboundRepo;
  registry: CommandRegistry;
  i18n: I18n;
  clock: Clock;
  features: readonly Feature[];
  logger: Logger;
  /** The per-member command rate limit (core/ratelimit); none: unlimited. */
  limiter?: CommandLimiter;
  /** Defaults to reporting nothing. */
  metrics?: Metrics;
}

type Plan =
  | { kind: 'command'; invocation: Invocation }
  | { kind: 'refuse'; error: UserError; command: string }
  | { kind: 'unknown'; name: string }
  | { kind: 'listen'; listener: 'memberJoined' | 'memberLeft' | 'message' | 'pollVote'; notUnderstood: boolean };

export class Router {
  private readonly listeners: Record<ListenerName, EventListener[]>;
  private readonly metrics: Metrics;

  constructor(private readonly deps: RouterDeps) {
    this.listeners = { memberJoined: [], memberLeft: [], message: [], command: [], pollVote: [] };
    this.metrics = deps.metrics ?? noMetrics;
    for (const feature of deps.features) {
      for (const [name, fn] of Object.entries(feature.listeners ?? {})) {
        if (fn) this.listeners[name as keyof typeof this.listeners].push(fn);
      }
    }
  }

  async handle(event: ChatEvent): Promise<RouteResult> {
    const { result, afterCommit } = await this.commit(event);
    await afterCommit();
    return result;
  }

  /**
   * Events delivered together (a WeCom member list): each is the same unit
   * of work as in handle(), all submitted at once so that they share the
   * group commit instead of paying one transaction and disk sync each.
   * Resolves once all of them committed, with each event's after-commit work
   * (timers, posts) not yet started: for thousands of members it costs far
   * more than the writes, so a caller with a deadline answers first and runs
   * it after. Whatever is never run, the reconciler arms from the database.
   */
  async handleAll(events: readonly ChatEvent[]): Promise<{ results: RouteResult[]; afterCommit: Array<() => Promise<void>> }> {
    const committed = await Promise.all(events.map((event) => this.commit(event)));
    return { results: committed.map((c) => c.result), afterCommit: committed.map((c) => c.afterCommit) };
  }

  /** The unit of work of one event, counted in the metrics (inbound deliveries; commands by outcome, timed). */
  private async commit(incoming: ChatEvent): Promise<{ result: RouteResult; afterCommit: () => Promise<void> }> {
    const done = this.metrics.commandTimer();
    const { outcome, command, ...committed } = await this.commitUnit(incoming);
    this.metrics.inbound(incoming.community.platform, committed.result.duplicate);
    if (command !== undefined) done(command, outcome);
    return committed;
  }

  /** The event's unit of work, committed; the work queued for after the commit is returned, not run. */
  private async commitUnit(incoming: ChatEvent): Promise<{ result: RouteResult; afterCommit: () => Promise<void>; outcome: CommandOutcome; command?: string }> {
    const { inbound, identity, clock, i18n } = this.deps;
    const nothingAfter = async (): Promise<void> => undefined;
    // Names are cleaned and ids checked before anything is stored (identity/sanitize.ts).
    const sanitized = sanitizeEvent(incoming);
    if (!sanitized.ok) {
      this.deps.logger.warn({ platform: incoming.community.platform, type: incoming.type, field: sanitized.field }, 'event refused: bad id');
      const locale = identity.locale(incoming.community);
      const field = i18n.t(locale, `core.idField.${sanitized.field}`);
      return { result: { duplicate: false, replies: [{ text: i18n.t(locale, 'core.badId', { field }), ephemeral: true }] }, afterCommit: nothingAfter, outcome: 'refused' };
    }
    const event = sanitized.event;
    const key = { platform: event.community.platform, community: event.community.externalId, deliveryId: event.deliveryId };
    const plan = this.plan(event);
    const command = commandName(plan);
    const now = clock.now();
    // Each event's work is one unit of work (one savepoint in a group-committed
    // write transaction). A refusal (UserError) rolls all of it back; a second,
    // small unit then claims the delivery and stores the refusal as its reply.
    // One member's events run one at a time (their lock); a command that declares itself safe
    // at READ COMMITTED runs there, so many members of one community do not abort each other.
    const unitOptions: UnitOptions = {
      lock: `${event.community.platform}:${event.community.externalId}:${event.actor.platformUserId}`,
      ...(plan.kind === 'command' && plan.invocation.leaf.readCommitted ? { isolation: 'read-committed' } : {}),
    };
    const attempt = (refusal?: UserError) =>
      this.deps.store.unit(async (unit): Promise<RouteResult & { limited?: true }> => {
        const claim = await inbound.claim(key, event.actor.platformUserId, now.getTime());
        if (claim.kind === 'retry') return { duplicate: true, replies: claim.replies ?? [] };
        if (claim.kind === 'conflict') {
          // Another member reusing the id: never their reply, never an effect, and the original keeps its key.
          this.deps.logger.warn({ ...key, actor: event.actor.platformUserId }, 'delivery id reused by another member');
          return { duplicate: true, replies: [{ text: i18n.t(identity.locale(event.community), 'core.deliveryConflict'), ephemeral: true }] };
        }
        // After the claim (a retried delivery is answered above and never counted twice),
        // before the community and member: the excess writes nothing but its window and its dedupe key.
        if (command !== undefined && !event.actor.isAdmin && this.deps.limiter) {
          const decision = await this.deps.limiter.take({ ...key, actor: event.actor.platformUserId }, now.getTime());
          if (decision.kind !== 'ok') {
            const replies = decision.kind === 'notice' ? [{ text: i18n.t(identity.locale(event.community), 'core.rateLimited', { seconds: decision.retryInSeconds }), ephemeral: true }] : [];
            await inbound.saveReplies(key, replies);
            return { duplicate: false, replies, limited: true };
          }
        }
        const community = await identity.community(event.community, now);
        const member = await identity.member(community, event.actor, now);
        const ctx = this.context(event, community, member, now, unit.afterCommit);
        const replies = refusal ? (await this.refuse(plan, ctx, refusal)) : await this.execute(plan, ctx);
        await inbound.saveReplies(key, replies);
        return { duplicate: false, replies };
      }, unitOptions);
    let committed: Committed<RouteResult & { limited?: true }>;
    let refused = plan.kind === 'refuse' || plan.kind === 'unknown';
    try {
      try {
        committed = await attempt();
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        refused = true;
        committed = await attempt(err);
      }
    } catch (err) {
      this.deps.logger.error({ err, deliveryId: event.deliveryId, platform: event.community.platform, type: event.type }, 'event failed');
      return { result: { duplicate: false, replies: [{ text: i18n.t(identity.locale(event.community), 'core.internalError'), ephemeral: true }] }, afterCommit: nothingAfter, outcome: 'error', command };
    }
    // The command committed; the reconciler re-arms whatever a failing hook did not do.
    const afterCommit = () => committed.runAfterCommit((err) => this.deps.logger.warn({ err, deliveryId: event.deliveryId }, 'after-commit work failed'));
    const { limited, ...result } = committed.value;
    const outcome: CommandOutcome = result.duplicate ? 'duplicate' : limited ? 'rate-limited' : refused ? 'refused' : 'ok';
    return { result, afterCommit, outcome, command };
  }

  private plan(event: ChatEvent): Plan {
    const { registry } = this.deps;
    switch (event.type) {
      case 'memberJoined':
      case 'memberLeft':
      case 'pollVote':
        return { kind: 'listen', listener: event.type, notUnderstood: false };
      case 'command': {
        const invocation = registry.fromStructured(event.path, event.options);
        return invocation ? { kind: 'command', invocation } : { kind: 'unknown', name: event.path.join(' ') };
      }
      case 'action':
        return fromParse(registry.parseText(`/${event.command}`, true), false);
      case 'message':
        return fromParse(registry.parseText(event.text, event.addressed), event.addressed);
    }
  }

  private async execute(plan: Plan, ctx: CommandContext): Promise<Reply[]> {
    switch (plan.kind) {
      case 'listen': {
        // Membership is core bookkeeping (a lottery excludes members who left, segments count churn).
        if (plan.listener === 'memberLeft') await this.deps.identity.markLeft(ctx.member, ctx.now);
        if (plan.listener === 'memberJoined') await this.deps.identity.markJoined(ctx.member, ctx.now);
        const replies = await this.runListeners(plan.listener, ctx);
        // A vote cast with the platform's poll controls is the member's activity, as a vote command is.
        if (plan.listener === 'pollVote') replies.push(...(await this.runListeners('command', ctx)));
        return plan.notUnderstood && replies.length === 0 ? [{ text: ctx.t('core.notUnderstood'), ephemeral: true }] : replies;
      }
      case 'unknown':
        return [{ text: ctx.t('core.unknownCommand', { name: plan.name, commands: this.commandList(ctx) }), ephemeral: true }];
      case 'refuse':
        return [{ text: ctx.t(plan.error.key, plan.error.params), ephemeral: true }];
      case 'command':
        return this.runCommand(plan.invocation, ctx);
    }
  }

  private async runCommand(inv: Invocation, ctx: CommandContext): Promise<Reply[]> {
    if ((inv.command.role === 'admin' || inv.leaf.role === 'admin') && !ctx.isAdmin) {
      throw new UserError('core.adminOnly', { command: inv.path.join(' ') });
    }
    const args = await resolveArgs(inv, { member: (ref) => this.deps.identity.findMember(ctx.community, ref), now: ctx.now, timezone: ctx.community.timezone });
    const out = await inv.leaf.handler(ctx, args);
    return [...(Array.isArray(out) ? out : [out]), ...(await this.runListeners('command', ctx))];
  }

  /** The reply to a refused event; a refused command still counts as the member's activity. */
  private async refuse(plan: Plan, ctx: CommandContext, error: UserError): Promise<Reply[]> {
    const reply: Reply = { text: ctx.t(error.key, error.params), ephemeral: true };
    return plan.kind === 'command' ? [reply, ...(await this.runListeners('command', ctx))] : [reply];
  }

  private async runListeners(name: keyof Router['listeners'], ctx: CommandContext): Promise<Reply[]> {
    const replies: Reply[] = [];
    for (const listener of this.listeners[name]) {
      const out = await listener(ctx, replies);
      if (out) replies.push(...out);
    }
    return replies;
  }

  private context(event: ChatEvent, community: CommunityInfo, member: MemberInfo, now: Date, afterCommit: (fn: AfterCommit) => void): CommandContext {
    return {
      // Features derive idempotency keys (ledger, outbox) from the delivery id, and those keys are
      // unique per platform; the platform's id is unique per community only (the playground lets
      // clients choose it), so features see it scoped by the community's id.
      event: { ...event, deliveryId: `${community.id}:${event.deliveryId}` },
      now,
      day: communityDay(now, community),
      community,
      member,
      isAdmin: event.actor.isAdmin,
      locale: community.locale,
      t: this.deps.i18n.translator(community.locale),
      afterCommit,
    };
  }

  private commandList(ctx: CommandContext): string {
    return this.deps.registry.commands
      .filter((c) => (ctx.isAdmin || c.role === 'member') && isAvailable(c, ctx.community.platform))
      .map((c) => `/${c.name}`)
      .join(' ');
  }
}

function fromParse(parse: TextParse, addressed: boolean): Plan {
  switch (parse.kind) {
    case 'none':
      return { kind: 'listen', listener: 'message', notUnderstood: addressed };
    case 'unknown':
      return { kind: 'unknown', name: parse.name };
    case 'invalid':
      return { kind: 'refuse', error: parse.error, command: parse.command.name };
    case 'command':
      return { kind: 'command', invocation: parse.invocation };
  }
}

/** The command an event is, as a metrics label (registry names only, never the member's text); undefined: not a command. */
function commandName(plan: Plan): string | undefined {
  switch (plan.kind) {
    case 'command':
      return plan.invocation.path.join(' ');
    case 'refuse':
      return plan.command;
    case 'unknown':
      return '(unknown)';
    case 'listen':
      return undefined;
  }
}
