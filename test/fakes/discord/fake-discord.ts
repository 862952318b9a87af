/**
 * FakeDiscord: a small in-process Discord (REST + gateway) for end-to-end tests with the real discord.js
 * client. Built on node:http and ws, listening on 127.0.0.1 on a free port. Shapes and behaviour follow
 * /work/shared/docs/platforms.md §1–§2 (verified against discord.js 14.28.1).
 *
 * Start and connect:
 *   const fake = await FakeDiscord.start({ guilds: [{ id, name, ownerId, channels: [{ id, name }] }] });
 *   const client = new Client({ intents, partials: [Partials.Channel],
 *     rest: { api: fake.apiUrl, retries: 0, timeout: 2000 } });
 *   client.once('clientReady', ...);              // attach BEFORE login (platforms.md §1.2.7)
 *   await client.login('any-token');              // or the `token` option's value
 *   await fake.waitForReady();
 *   ...; await client.destroy(); await fake.close(); // destroy the client first, or it reconnects
 *
 * Public API (see the JSDoc on each member):
 *   static start(options: FakeDiscordOptions): Promise<FakeDiscord>
 *   apiUrl, gatewayUrl, port, applicationId, botUserId, botUser, sessionId, lastIdentify, connectionCount
 *   requests: RecordedRequest[]; identifies: IdentifyRecord[]; gatewayFrames: GatewayFrame[]
 *   shards(): ShardSession[]; sessionIdOf(shard); shardOfGuild(guildId) (exported: shardOf, snowflakeOnShard)
 *   waitForRequest(match, timeoutMs = 5000, fromIndex = 0): Promise<RecordedRequest>
 *   waitForGatewayOp(op, timeoutMs = 5000, fromIndex = 0): Promise<GatewayFrame>
 *   waitForReady(timeoutMs = 10000, shard?): Promise<IdentifyRecord>
 *   rateLimitNext(match, { retryAfterSeconds = 0.2, times = 1, global, scope, limit }): void
 *   respondNext(match, { status, body?, headers?, times = 1 }): void
 *   failNext(match, { status = 400, code, message, times = 1 }): void
 *   blockDirectMessages(userId): void          // sends to that user's DM → 403 / 50007
 *   dispatch(t, d, shard?): number              // raw dispatch (routed by d.guild_id unless `shard`); returns `s`
 *   redeliver(t, id): { sessions, shard }       // the last dispatch of `t` with d.id = id again, to every session of its shard
 *   sendMessage(FakeMessageInput): { id, channelId, s, delivered }
 *   memberJoin({ guildId, user, roles?, nick? }): DispatchResult
 *   memberLeave({ guildId, user }): DispatchResult
 *   reactionAdd({ guildId?, channelId, messageId, user, emoji }): DispatchResult
 *   interaction(FakeInteractionInput): FakeInteractionHandle   // slash command, button, autocomplete, modal
 *   addGuild(FakeGuildInput): DispatchResult    // bot joins a guild (GUILD_CREATE)
 *   dropConnection(code = 4000, shard?), closeWithCode(code, reason?, shard?)  // 1006 terminates without a close frame
 *   requestReconnect(shard?) (op 7), invalidateSession(resumable, shard?) (op 9), requestHeartbeat(shard?) (op 1)
 *   messagesIn(channelId), getMessage(id), dmChannelIdFor(userId), commands(guildId?), member(guildId, userId)
 *   interactionAnswer(interactionId): { acknowledged, original, followUps }
 *   polls: native polls (./polls.ts): vote({ messageId, userId, answerId, remove? }), resend(payload), pollOf(id), expired(id)
 *   matchRoute(method, pattern) (exported helper), snowflake() (exported helper)
 *   automod: FakeAutomod (./automod.ts): AutoMod rule endpoints, execute(...), sendMessage(...) through the rules
 *   close(): Promise<void>
 *
 * REST (below /api/v10; every request is recorded with its percent-decoded path, e.g. `%40original` → `@original`):
 *   GET /gateway, /gateway/bot, /users/@me, /users/:id, /applications/@me
 *   GET|PUT|POST /applications/:app/commands, /applications/:app/guilds/:gid/commands; GET|DELETE …/commands/:cmd
 *   POST /interactions/:id/:token/callback (204, or 200 with ?with_response=true; 10062 unknown, 40060 twice)
 *   GET|PATCH|DELETE /webhooks/:app/:token/messages/@original and /messages/:mid; POST /webhooks/:app/:token
 *   GET|POST /channels/:cid/messages (a repeated nonce with enforce_nonce returns the first message; see
 *     `nonceWindowMs`); GET|PATCH|DELETE /channels/:cid/messages/:mid; GET /channels/:cid
 *   PUT|DELETE /channels/:cid/messages/:mid/reactions/:emoji/@me; POST /channels/:cid/typing
 *   POST /channels/:cid/messages with a `poll` (validated), POST /channels/:cid/polls/:mid/expire (./polls.ts)
 *   POST /users/@me/channels (DM channel)
 *   GET /guilds/:gid, /guilds/:gid/channels, /guilds/:gid/roles, /guilds/:gid/members, /guilds/:gid/members/:uid
 *   PUT|DELETE /guilds/:gid/members/:uid/roles/:rid (204 + GUILD_MEMBER_UPDATE; needs ManageRoles and hierarchy)
 *   PATCH /guilds/:gid/members/:uid with communication_disabled_until (timeout: needs ModerateMembers; never the
 *     owner or an Administrator; at most 28 days ahead), DELETE /guilds/:gid/members/:uid (kick: needs KickMembers,
 *     + GUILD_MEMBER_REMOVE); both refuse a member whose highest role is not below the bot's (403 / 50013).
 *     DELETE /channels/:cid/messages/:mid of another author needs ManageMessages. The audit-log reason arrives as the
 *     `x-audit-log-reason` header (percent-encoded, as discord.js sends it) on the recorded request.
 *   Anything else: 404 `{ message: '404: Not Found', code: 0 }` (405 for a known path with another method).
 *
 * Gateway (/gateway): HELLO → IDENTIFY → READY (guilds unavailable, resume_gateway_url = this fake) → one
 * GUILD_CREATE per guild (if the Guilds intent is asked for); op 1 → op 11; RESUME with the current session
 * id replays missed dispatches then sends RESUMED (sequence numbers keep increasing per session); unknown
 * session → op 9 d:false. op 8 → GUILD_MEMBERS_CHUNK with the nonce. A privileged intent outside
 * `privilegedIntents` → close 4014; a wrong token (when `token` is set) → close 4004.
 * Builders deliver intent-gated events only when the client asked for the intent (see FakeDiscordOptions),
 * and without MessageContent guild messages arrive with empty content unless they mention the bot.
 *
 * Sharding, as Discord does it: GET /gateway/bot answers `shards: recommendedShards` and
 * `max_concurrency: maxConcurrency`. IDENTIFY's `shard: [id, count]` (default [0, 1]) opens one session per
 * shard id (a second IDENTIFY for the same id replaces it with 4009); an id outside 0 ≤ id < count closes
 * with 4010, a count below `minShards` with 4011. A guild belongs to shard (guild_id >> 22) % count: READY
 * lists and GUILD_CREATE sends only that shard's guilds, and every guild dispatch (messages, members,
 * interactions, roles) goes only to the session of the guild's shard; DMs go to shard 0. A dispatch whose
 * shard has no session is not delivered (`delivered: false`), as on Discord. With `parallelSessions`, a second
 * IDENTIFY for a connected shard opens a second session beside the first, and each of them gets every
 * dispatch of that shard (two processes on one bot token during a deploy).
 * Helpers without a `shard` argument act on the newest session (the only one, unsharded).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { matchSegments, parseBody, readBody, splitApiPath } from './http-util.js';
import {
  ALL_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  Intent,
  Permission,
  PRIVILEGED_INTENTS,
  apiChannel,
  apiDmChannel,
  apiMember,
  apiMessage,
  apiRole,
  apiUser,
  discordError,
  isObject,
  permissionString,
  type MemberState,
} from './payloads.js';
import { shardOf, snowflake } from './snowflake.js';
import type {
  CannedResponse,
  DispatchResult,
  FakeDiscordOptions,
  FakeGuildInput,
  FakeInteractionHandle,
  FakeInteractionInput,
  FakeMessageInput,
  FakeOptionValue,
  FakeRawOption,
  FakeUserInput,
  GatewayFrame,
  IdentifyRecord,
  Json,
  RateLimitOptions,
  RecordedRequest,
  RequestMatcher,
  ShardSession,
} from './types.js';
import { isEmptyMessage, validateCommands, validateMessageBody } from './validation.js';
import { FakePolls } from './polls.js';
import { FakeAutomod } from './automod.js';

export { matchRoute } from './http-util.js';
export { Intent, Permission } from './payloads.js';
export { shardOf, snowflake, snowflakeOnShard, snowflakeTimestamp } from './snowflake.js';
export type * from './types.js';

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Runs after the response was written (e.g. the gateway echo of a created message). */
  after?: () => void;
}

interface RouteContext {
  params: Record<string, string>;
  request: RecordedRequest;
  /** The body if it is a JSON object, else `{}`. */
  body: Json;
}

interface RouteDef {
  method: string;
  pattern: string;
  /** Needs `Authorization: Bot <token>` when the `token` option is set. */
  auth: boolean;
  handle: (ctx: RouteContext) => Reply;
}

interface Override {
  match: RequestMatcher;
  remaining: number;
  reply: () => Reply;
}

interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  preferredLocale: string;
  systemChannelId: string | null;
  joinedAt: string;
  channelIds: string[];
  roles: Map<string, Json>;
  members: Map<string, MemberState>;
  botRoleId: string;
}

interface ChannelState {
  id: string;
  guildId: string | null;
  api: Json;
  /** For DM channels. */
  recipientId: string | null;
}

interface DispatchFrame {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  /** IDENTIFY's shard: [shard, shardCount]. */
  shard: number;
  shardCount: number;
  seq: number;
  events: DispatchFrame[];
  identify: IdentifyRecord;
  socket: WebSocket | null;
  ready: boolean;
}

interface Connection {
  ws: WebSocket;
  query: Record<string, string>;
  authenticated: boolean;
  closedByServer: boolean;
  /** The session this socket identified or resumed. */
  session: Session | null;
}

interface InteractionState {
  id: string;
  token: string;
  type: number;
  guildId: string | null;
  channelId: string;
  user: Json;
  createdAt: number;
  acked: boolean;
  originalId: string | null;
  sourceMessageId: string | null;
  followupIds: Set<string>;
}

interface StoredCommand {
  guildId: string | null;
  api: Json;
}

const MESSAGE_FLAG_EPHEMERAL = 64;
const MESSAGE_FLAG_LOADING = 128;
const TEXT_CHANNEL_TYPES = new Set([0, 1, 2, 5, 10, 11, 12, 13]);

function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

function error(status: number, code: number, message: string, errors?: Json): Reply {
  return { status, body: discordError(code, message, errors) };
}

const noContent: Reply = { status: 204 };

export class FakeDiscord {
  /** Every REST request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Every IDENTIFY received. */
  readonly identifies: IdentifyRecord[] = [];
  /** Every gateway frame received from clients (heartbeats included). */
  readonly gatewayFrames: GatewayFrame[] = [];
  readonly applicationId: string;
  readonly botUserId: string;
  /** The bot's user object as READY sends it. */
  readonly botUser: Json;
  /** Number of gateway connections opened so far. */
  connectionCount = 0;
  /** Native polls: validation, the poll on its message, votes to the bot, expiry (./polls.ts). */
  readonly polls: FakePolls = new FakePolls({
    message: (id) => this.messages.get(id),
    store: (message) => this.storeMessage(message),
    guildOfChannel: (channelId) => this.channels.get(channelId)?.guildId ?? null,
    dispatch: (intent, t, d) => this.dispatchGated(intent, t, d),
  });
  /** AutoMod: rule endpoints and execution events (./automod.ts). */
  readonly automod: FakeAutomod;

  private readonly options: FakeDiscordOptions;
  private readonly emitter = new EventEmitter();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly guilds = new Map<string, GuildState>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly users = new Map<string, Json>();
  private readonly dmChannels = new Map<string, string>();
  private readonly dmBlocked = new Set<string>();
  private readonly messages = new Map<string, Json>();
  private readonly channelMessages = new Map<string, string[]>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly storedCommands: StoredCommand[] = [];
  private readonly overrides: Override[] = [];
  private readonly routes: RouteDef[];
  /** Gateway sessions by shard id, oldest first. */
  private readonly sessions = new Map<number, Session>();
  /** With `parallelSessions`: older sessions still connected on a shard that has a newer one in `sessions`. */
  private readonly parallel: Session[] = [];
  /** The last `d` dispatched for each `t` and `d.id` (for `redeliver`). */
  private readonly dispatched = new Map<string, { t: string; d: unknown }>();
  /** Nonces of the messages created through REST (all by the bot, the only REST author), for `enforce_nonce`. */
  private readonly nonces = new Map<string, { messageId: string; at: number }>();
  private listeningPort = 0;
  private closed = false;

  private constructor(options: FakeDiscordOptions) {
    this.options = options;
    this.applicationId = options.applicationId ?? snowflake();
    this.botUserId = options.botUserId ?? this.applicationId;
    this.botUser = apiUser({ id: this.botUserId, username: options.botUsername ?? 'QunBot', bot: true });
    this.users.set(this.botUserId, this.botUser);
    for (const guild of options.guilds) this.registerGuild(guild);
    this.automod = new FakeAutomod({
      hasGuild: (id) => this.guilds.has(id),
      botPermissions: (id) => this.memberPermissions(this.requireGuild(id), this.botMember(this.requireGuild(id))),
      botUserId: this.botUserId,
      dispatch: (intent, t, d) => (this.sessions.size > 0 ? this.dispatchGated(intent, t, d) : { s: null, delivered: false, shard: null }),
      deliver: (input) => this.sendMessage(input),
    });
    this.routes = this.buildRoutes();
    this.emitter.setMaxListeners(0);
    this.server = createServer((req, res) => {
      void this.handleHttp(req, res);
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/gateway' && url.pathname !== '/gateway/') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
    });
  }

  /** Starts the fake on 127.0.0.1 on a free port. */
  static async start(options: FakeDiscordOptions): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => {
        fake.server.off('error', reject);
        resolve();
      });
    });
    fake.listeningPort = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Pass as discord.js `rest.api`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.listeningPort}/api`;
  }

  /** What `GET /gateway/bot` and READY.resume_gateway_url return. */
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.listeningPort}/gateway`;
  }

  /** The newest gateway session's id, if a client identified. */
  get sessionId(): string | null {
    return this.newestSession()?.id ?? null;
  }

  /** The session id of this shard, if one identified. */
  sessionIdOf(shard: number): string | null {
    return this.sessions.get(shard)?.id ?? null;
  }

  /** The open sessions, by shard id: which shards are connected, and their counts. */
  shards(): ShardSession[] {
    return [...this.parallel, ...this.sessions.values()]
      .map((session) => ({ shard: session.shard, shardCount: session.shardCount, sessionId: session.id, ready: session.ready, connected: session.socket?.readyState === WebSocket.OPEN }))
      .sort((a, b) => a.shard - b.shard);
  }

  /** The shard a guild's dispatches go to under the newest session's shard count (DMs: pass null → 0). */
  shardOfGuild(guildId: string | null): number {
    return guildId === null ? 0 : shardOf(guildId, this.newestSession()?.shardCount ?? 1);
  }

  get lastIdentify(): IdentifyRecord | undefined {
    return this.identifies[this.identifies.length - 1];
  }

  /** Stops the server. Destroy discord.js clients first, or they keep trying to reconnect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emitter.emit('closed');
    for (const connection of this.connections) connection.ws.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- waiting

  /**
   * Resolves with the first answered request at index ≥ `fromIndex` matching `match` (past requests count,
   * so there is no race with a request that already arrived). Pass `fake.requests.length` as `fromIndex`
   * to only consider requests made from now on.
   */
  waitForRequest(match: RequestMatcher, timeoutMs = 5000, fromIndex = 0): Promise<RecordedRequest> {
    const check = (): RecordedRequest | undefined =>
      this.requests.find((request) => request.index >= fromIndex && request.status !== 0 && safeMatch(match, request));
    return this.waitFor('request', check, timeoutMs, () => {
      const recent = this.requests.slice(-12).map((r) => `  ${r.method} ${r.path} → ${r.status}`);
      return `a matching REST request. Recent requests:\n${recent.join('\n') || '  (none)'}`;
    });
  }

  /** Resolves with the first gateway frame at index ≥ `fromIndex` with this opcode. */
  waitForGatewayOp(op: number, timeoutMs = 5000, fromIndex = 0): Promise<GatewayFrame> {
    const check = (): GatewayFrame | undefined => this.gatewayFrames.find((frame) => frame.index >= fromIndex && frame.op === op);
    return this.waitFor('frame', check, timeoutMs, () => `gateway op ${op}`);
  }

  /**
   * Resolves once a client is connected with a session that got READY and all its GUILD_CREATEs
   * (or that RESUMED): the session of `shard`, or without it the newest. Returns that session's IDENTIFY.
   */
  waitForReady(timeoutMs = 10_000, shard?: number): Promise<IdentifyRecord> {
    const check = (): IdentifyRecord | undefined => {
      const session = shard === undefined ? this.newestSession() : this.sessions.get(shard);
      return session?.ready && session.socket?.readyState === WebSocket.OPEN ? session.identify : undefined;
    };
    return this.waitFor('ready', check, timeoutMs, () => (shard === undefined ? 'a ready gateway session' : `a ready session for shard ${shard}`));
  }

  private waitFor<T>(event: string, check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const found = check();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.emitter.off(event, onEvent);
        this.emitter.off('closed', onClosed);
      };
      const onEvent = (): void => {
        const value = check();
        if (value !== undefined) {
          cleanup();
          resolve(value);
        }
      };
      const onClosed = (): void => {
        cleanup();
        reject(new Error(`FakeDiscord closed while waiting for ${describe()}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`FakeDiscord: timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      this.emitter.on(event, onEvent);
      this.emitter.on('closed', onClosed);
    });
  }

  // ------------------------------------------------------- response injection

  /**
   * Answers the next `times` requests matching `match` with 429, `Retry-After`, `X-RateLimit-*` headers and
   * `{ message, retry_after, global }` (platforms.md §1.5), then lets them through.
   */
  rateLimitNext(match: RequestMatcher, options: RateLimitOptions = {}): void {
    const retryAfter = options.retryAfterSeconds ?? 0.2;
    const global = options.global ?? false;
    const scope = options.scope ?? (global ? 'global' : 'user');
    this.overrides.push({
      match,
      remaining: options.times ?? 1,
      reply: () => {
        const headers: Record<string, string> = {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': String(options.limit ?? 5),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String((Date.now() / 1000 + retryAfter).toFixed(3)),
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-bucket': 'fakebucket0000000000000000000000',
          'x-ratelimit-scope': scope,
        };
        if (global) headers['x-ratelimit-global'] = 'true';
        return json(429, { message: 'You are being rate limited.', retry_after: retryAfter, global }, headers);
      },
    });
  }

  /** Answers the next `times` matching requests with a canned response. */
  respondNext(match: RequestMatcher, response: CannedResponse): void {
    this.overrides.push({
      match,
      remaining: response.times ?? 1,
      reply: () => ({ status: response.status, body: response.body, headers: response.headers ?? {} }),
    });
  }

  /** Answers the next `times` matching requests with a Discord JSON error (e.g. 403 / 50013 Missing Permissions). */
  failNext(match: RequestMatcher, failure: { status?: number; code: number; message: string; times?: number }): void {
    this.respondNext(match, { status: failure.status ?? 400, body: discordError(failure.code, failure.message), times: failure.times ?? 1 });
  }

  /** Sending to this user's DM channel answers 403 / 50007 Cannot send messages to this user. */
  blockDirectMessages(userId: string): void {
    this.dmBlocked.add(userId);
  }

  // ----------------------------------------------------------- state queries

  /** Messages the fake knows in a channel (sent by the bot or through the builders), oldest first. */
  messagesIn(channelId: string): Json[] {
    return (this.channelMessages.get(channelId) ?? []).map((id) => this.messages.get(id)).filter((m): m is Json => m !== undefined);
  }

  getMessage(messageId: string): Json | undefined {
    return this.messages.get(messageId);
  }

  /** The DM channel the bot opened with (or was messaged by) this user. */
  dmChannelIdFor(userId: string): string | undefined {
    return this.dmChannels.get(userId);
  }

  /** Registered application commands: global ones when `guildId` is omitted. */
  commands(guildId?: string): Json[] {
    return this.storedCommands.filter((c) => c.guildId === (guildId ?? null)).map((c) => c.api);
  }

  /**
   * What the member sees of an interaction's answer: whether it was acknowledged, its original response
   * (undefined before the first callback and after it was deleted; flag 128 while it is still "thinking"),
   * and its follow-ups. Undefined for an interaction the fake never built.
   */
  interactionAnswer(interactionId: string): { acknowledged: boolean; original: Json | undefined; followUps: Json[] } | undefined {
    const state = this.interactions.get(interactionId);
    if (!state) return undefined;
    return {
      acknowledged: state.acked,
      original: state.originalId !== null ? this.messages.get(state.originalId) : undefined,
      followUps: [...state.followupIds].map((id) => this.messages.get(id)).filter((m): m is Json => m !== undefined),
    };
  }

  /** A guild member as `GET /guilds/:gid/members/:uid` would return it. */
  member(guildId: string, userId: string): Json | undefined {
    const member = this.guilds.get(guildId)?.members.get(userId);
    return member ? apiMember(member) : undefined;
  }

  // ------------------------------------------------------------ gateway control

  /**
   * Sends any dispatch (buffered for replay if the socket is down) to the session of `shard`, or else of the
   * shard `d.guild_id` belongs to (shard 0 without one). Returns `s`; throws when that shard has no session.
   */
  dispatch(t: string, d: unknown, shard?: number): number {
    this.requireSession();
    const session = shard === undefined ? this.sessionForGuild(guildIdOf(d)) : this.sessions.get(shard);
    if (!session) throw new Error(`FakeDiscord: no gateway session for shard ${shard ?? this.shardOfGuild(guildIdOf(d))}`);
    return this.fanOut(session, t, d).s as number;
  }

  /**
   * Sends again the last dispatch of type `t` whose `d.id` is `id` (a MESSAGE_CREATE's message id, an
   * INTERACTION_CREATE's interaction id), to every session of its shard, with new sequence numbers: a gateway
   * replay of an event already delivered. An interaction keeps its id and token, so only the first callback
   * for it is accepted (400 / 40060 after that). Returns how many sessions got it.
   */
  redeliver(t: string, id: string): { sessions: number; shard: number | null } {
    const last = this.dispatched.get(dispatchKey(t, id));
    if (!last) throw new Error(`FakeDiscord.redeliver: nothing of type ${t} with id ${id} was dispatched`);
    const primary = this.sessionForGuild(guildIdOf(last.d));
    if (!primary) return { sessions: 0, shard: null };
    const { sessions } = this.fanOut(primary, t, last.d, undefined, false);
    return { sessions, shard: primary.shard };
  }

  /**
   * Dispatches to `primary` and, with `parallelSessions`, to every other session connected on its shard
   * (those that asked for `intent`, when given). Returns the primary's `s` (null when it lacks the intent).
   */
  private fanOut(primary: Session, t: string, d: unknown, intent?: number, remember = true): { s: number | null; sessions: number } {
    if (remember && isObject(d) && (typeof d.id === 'string' || typeof d.id === 'number')) {
      this.dispatched.set(dispatchKey(t, String(d.id)), { t, d });
      if (this.dispatched.size > 20_000) this.dispatched.delete(this.dispatched.keys().next().value as string);
    }
    let s: number | null = null;
    let sessions = 0;
    for (const session of [primary, ...this.parallel.filter((p) => p.shard === primary.shard)]) {
      if (intent !== undefined && this.enforcingIntents() && (session.identify.intents & intent) === 0) continue;
      const seq = this.dispatchTo(session, t, d);
      if (session === primary) s = seq;
      sessions++;
    }
    return { s, sessions };
  }

  private dispatchTo(session: Session, t: string, d: unknown): number {
    const s = ++session.seq;
    const frame: DispatchFrame = { op: 0, t, s, d };
    session.events.push(frame);
    if (session.events.length > 1000) session.events.shift();
    const socket = session.socket;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    return s;
  }

  /** Closes the session's socket with `code` (4000 → the client resumes; 1006 → terminate without a close frame). */
  dropConnection(code = 4000, shard?: number): void {
    this.closeWithCode(code, 'FakeDiscord: connection dropped', shard);
  }

  /** Closes the socket of `shard`'s session, or the newest open gateway socket, with `code` (e.g. 4014 disallowed intents, 4004 auth failed). */
  closeWithCode(code: number, reason = 'FakeDiscord: closed', shard?: number): void {
    const connection = this.currentConnection(shard);
    if (!connection) throw new Error('FakeDiscord: no open gateway connection');
    connection.closedByServer = true;
    if (code === 1006) connection.ws.terminate();
    else connection.ws.close(code, reason);
  }

  /** op 7: asks the client (of `shard`, or the newest session) to reconnect and resume. */
  requestReconnect(shard?: number): void {
    this.sendOp(7, null, shard);
  }

  /** op 9: invalid session; with `resumable: false` the session is forgotten and the client re-identifies. */
  invalidateSession(resumable = false, shard?: number): void {
    if (!resumable) {
      const session = shard === undefined ? this.requireSession() : this.sessions.get(shard);
      if (!session) throw new Error(`FakeDiscord: no gateway session for shard ${shard}`);
      this.sendOp(9, false, session.shard);
      this.endSession(session);
      return;
    }
    this.sendOp(9, true, shard);
  }

  /** op 1: asks the client for an immediate heartbeat. */
  requestHeartbeat(shard?: number): void {
    this.sendOp(1, null, shard);
  }

  // ------------------------------------------------------------ event builders

  /** MESSAGE_CREATE from a user (guild channel, or the user's DM with the bot when `guildId` is omitted). */
  sendMessage(input: FakeMessageInput): { id: string; channelId: string } & DispatchResult {
    const author = this.rememberUser(input.author);
    const id = input.id ?? snowflake();
    let guild: GuildState | null = null;
    let channelId: string;
    if (input.guildId !== undefined) {
      guild = this.requireGuild(input.guildId);
      channelId = input.channelId ?? this.defaultTextChannel(guild);
      const channel = this.channels.get(channelId);
      if (!channel || channel.guildId !== guild.id) throw new Error(`FakeDiscord.sendMessage: channel ${channelId} is not in guild ${guild.id}`);
      this.ensureMember(guild, author);
    } else {
      channelId = input.channelId ?? this.ensureDmChannel(String(author.id));
    }
    const mentions = this.parseMentions(input.content, guild);
    const message = apiMessage({
      id,
      channelId,
      author,
      content: input.content,
      embeds: input.embeds ?? [],
      attachments: input.attachments ?? [],
      type: input.type ?? 0,
      mentions: mentions.users,
      mentionRoles: mentions.roles,
      mentionEveryone: mentions.everyone,
    });
    this.storeMessage(message);
    const result = this.dispatchMessageCreate(message, guild);
    return { id, channelId, ...result };
  }

  /** GUILD_MEMBER_ADD (needs the GuildMembers intent). The member is added to the fake's guild. */
  memberJoin(input: { guildId: string; user: FakeUserInput; roles?: string[]; nick?: string | null }): DispatchResult {
    const guild = this.requireGuild(input.guildId);
    const user = this.rememberUser(input.user);
    const member: MemberState = { user, roles: input.roles ?? [], nick: input.nick ?? null, joinedAt: new Date().toISOString() };
    guild.members.set(String(user.id), member);
    return this.dispatchGated(Intent.GuildMembers, 'GUILD_MEMBER_ADD', { ...apiMember(member), guild_id: guild.id });
  }

  /** GUILD_MEMBER_REMOVE (needs the GuildMembers intent). The member is removed from the fake's guild. */
  memberLeave(input: { guildId: string; user: FakeUserInput }): DispatchResult {
    const guild = this.requireGuild(input.guildId);
    const user = this.users.get(input.user.id) ?? this.rememberUser(input.user);
    guild.members.delete(input.user.id);
    return this.dispatchGated(Intent.GuildMembers, 'GUILD_MEMBER_REMOVE', { guild_id: guild.id, user });
  }

  /** MESSAGE_REACTION_ADD from a user (needs GuildMessageReactions / DirectMessageReactions). `emoji`: "👍" or `{ id, name }`. */
  reactionAdd(input: { guildId?: string; channelId: string; messageId: string; user: FakeUserInput; emoji: string | { id: string; name: string } }): DispatchResult {
    const user = this.rememberUser(input.user);
    const emoji = typeof input.emoji === 'string' ? { id: null, name: input.emoji } : { id: input.emoji.id, name: input.emoji.name, animated: false };
    const message = this.messages.get(input.messageId);
    const d: Json = {
      user_id: user.id,
      channel_id: input.channelId,
      message_id: input.messageId,
      emoji,
      burst: false,
      type: 0,
    };
    if (message && isObject(message.author)) d.message_author_id = message.author.id;
    if (input.guildId !== undefined) {
      const guild = this.requireGuild(input.guildId);
      d.guild_id = guild.id;
      d.member = apiMember(this.ensureMember(guild, user));
      return this.dispatchGated(Intent.GuildMessageReactions, 'MESSAGE_REACTION_ADD', d);
    }
    return this.dispatchGated(Intent.DirectMessageReactions, 'MESSAGE_REACTION_ADD', d);
  }

  /** The bot joins a guild: registers it and dispatches GUILD_CREATE (needs the Guilds intent). */
  addGuild(input: FakeGuildInput): DispatchResult {
    const guild = this.registerGuild(input);
    return this.dispatchGated(Intent.Guilds, 'GUILD_CREATE', this.guildCreatePayload(guild));
  }

  /**
   * INTERACTION_CREATE: a slash command (type 2, default when `name` is set), a component press (type 3,
   * default when only `customId` is set: a button unless `componentType` says otherwise), autocomplete (4)
   * or a modal submit (5). Includes every field discord.js 14.28 requires (entitlements,
   * authorizing_integration_owners, …). Returns the id/token to wait for the callback.
   */
  interaction(input: FakeInteractionInput): FakeInteractionHandle {
    const type = input.type ?? (input.name === undefined && input.customId !== undefined ? 3 : 2);
    const id = input.id ?? snowflake();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
    const user = this.rememberUser(input.user);
    const guild = input.guildId !== undefined ? this.requireGuild(input.guildId) : null;
    const channelId = input.channelId ?? (guild ? this.defaultTextChannel(guild) : this.ensureDmChannel(String(user.id)));
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`FakeDiscord.interaction: unknown channel ${channelId}`);
    if (guild && channel.guildId !== guild.id) throw new Error(`FakeDiscord.interaction: channel ${channelId} is not in guild ${guild.id}`);

    const payload: Json = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      channel_id: channelId,
      locale: input.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guild ? guild.id : '0' },
      context: guild ? 0 : 1,
      attachment_size_limit: 10_485_760,
    };
    if (guild) {
      const member = this.ensureMember(guild, user);
      const permissions = input.permissions !== undefined ? permissionString(input.permissions, 0n) : this.memberPermissions(guild, member).toString();
      payload.guild_id = guild.id;
      payload.guild = { id: guild.id, locale: guild.preferredLocale, features: [] };
      payload.guild_locale = guild.preferredLocale;
      payload.member = { ...apiMember(member), permissions };
      payload.channel = { ...channel.api, permissions };
      payload.app_permissions = this.memberPermissions(guild, this.botMember(guild)).toString();
    } else {
      payload.user = user;
      payload.channel = channel.api;
      payload.app_permissions = (Permission.AddReactions | Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.AttachFiles | Permission.ReadMessageHistory | Permission.UseExternalEmojis | Permission.UseApplicationCommands).toString();
    }

    let sourceMessageId: string | null = null;
    if (type === 2 || type === 4) {
      if (input.name === undefined) throw new Error('FakeDiscord.interaction: `name` is required for command interactions');
      payload.data = { ...this.commandData(input, guild), ...input.data };
    } else {
      if (input.customId === undefined) throw new Error('FakeDiscord.interaction: `customId` is required for component and modal interactions');
      const data: Json = { custom_id: input.customId };
      if (type === 3) {
        data.component_type = input.componentType ?? 2;
        if (input.values !== undefined) data.values = input.values;
      } else {
        data.components = [];
      }
      payload.data = { ...data, ...input.data };
      if (type === 3 || input.messageId !== undefined) {
        const message = this.componentMessage(input, channelId);
        sourceMessageId = String(message.id);
        payload.message = guild ? { ...message, guild_id: guild.id } : message;
      }
    }

    const state: InteractionState = {
      id,
      token,
      type,
      guildId: guild?.id ?? null,
      channelId,
      user,
      createdAt: Date.now(),
      acked: false,
      originalId: null,
      sourceMessageId,
      followupIds: new Set(),
    };
    this.interactions.set(id, state);
    this.interactionsByToken.set(token, state);
    // Interactions need no intent; they go to the guild's shard (DMs: shard 0) like every dispatch.
    this.requireSession();
    const session = this.sessionForGuild(guild?.id ?? null);
    if (session) this.fanOut(session, 'INTERACTION_CREATE', payload);
    const isCallback = (request: RecordedRequest): boolean => request.method === 'POST' && request.path === `/interactions/${id}/${token}/callback`;
    return {
      id,
      token,
      applicationId: this.applicationId,
      payload,
      delivered: session !== undefined,
      shard: session?.shard ?? null,
      waitForCallback: (timeoutMs = 5000) => this.waitForRequest(isCallback, timeoutMs),
    };
  }

  // ------------------------------------------------------------------- guilds

  private registerGuild(input: FakeGuildInput): GuildState {
    const joinedAt = new Date().toISOString();
    const roles = new Map<string, Json>();
    roles.set(input.id, apiRole({ id: input.id, name: '@everyone', position: 0, permissions: input.everyonePermissions }, DEFAULT_EVERYONE_PERMISSIONS));
    let top = 0;
    for (const role of input.roles ?? []) {
      roles.set(role.id, apiRole(role, 0n));
      top = Math.max(top, role.position ?? 1);
    }
    const botRoleId = snowflake();
    const botRole = apiRole(
      { id: botRoleId, name: String(this.botUser.username), position: top + 1, managed: true, permissions: this.options.botPermissions ?? Permission.Administrator },
      0n,
    );
    botRole.tags = { bot_id: this.botUserId };
    roles.set(botRoleId, botRole);

    const guild: GuildState = {
      id: input.id,
      name: input.name,
      ownerId: input.ownerId,
      preferredLocale: input.preferredLocale ?? 'en-US',
      systemChannelId: input.systemChannelId ?? null,
      joinedAt,
      channelIds: [],
      roles,
      members: new Map(),
      botRoleId,
    };
    input.channels.forEach((channel, index) => {
      this.channels.set(channel.id, { id: channel.id, guildId: input.id, api: apiChannel(channel, input.id, index), recipientId: null });
      guild.channelIds.push(channel.id);
    });
    for (const member of input.members ?? []) {
      const user = this.rememberUser(member.user);
      guild.members.set(member.user.id, { user, roles: member.roles ?? [], nick: member.nick ?? null, joinedAt: member.joinedAt ?? joinedAt });
    }
    if (!guild.members.has(input.ownerId)) {
      const owner = this.users.get(input.ownerId) ?? this.rememberUser({ id: input.ownerId, username: 'owner' });
      guild.members.set(input.ownerId, { user: owner, roles: [], nick: null, joinedAt });
    }
    guild.members.set(this.botUserId, { user: this.botUser, roles: [botRoleId], nick: null, joinedAt });
    this.guilds.set(guild.id, guild);
    return guild;
  }

  private guildObject(guild: GuildState): Json {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      application_id: null,
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      system_channel_id: guild.systemChannelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      preferred_locale: guild.preferredLocale,
      vanity_url_code: null,
      max_members: 500_000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      features: [],
      roles: [...guild.roles.values()],
      emojis: [],
      stickers: [],
    };
  }

  private guildCreatePayload(guild: GuildState): Json {
    return {
      ...this.guildObject(guild),
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      lazy: true,
      member_count: guild.members.size,
      members: [...guild.members.values()].map((member) => apiMember(member)),
      channels: guild.channelIds.map((id) => this.channels.get(id)?.api).filter((c): c is Json => c !== undefined),
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
    };
  }

  private requireGuild(guildId: string): GuildState {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`FakeDiscord: unknown guild ${guildId}`);
    return guild;
  }

  private defaultTextChannel(guild: GuildState): string {
    const id = guild.channelIds.find((channelId) => this.channels.get(channelId)?.api.type === 0);
    if (id === undefined) throw new Error(`FakeDiscord: guild ${guild.id} has no text channel`);
    return id;
  }

  private botMember(guild: GuildState): MemberState {
    const member = guild.members.get(this.botUserId);
    if (!member) throw new Error('FakeDiscord: bot member missing');
    return member;
  }

  private ensureMember(guild: GuildState, user: Json): MemberState {
    const id = String(user.id);
    let member = guild.members.get(id);
    if (!member) {
      member = { user, roles: [], nick: null, joinedAt: new Date().toISOString() };
      guild.members.set(id, member);
    }
    return member;
  }

  private memberPermissions(guild: GuildState, member: MemberState): bigint {
    if (member.user.id === guild.ownerId) return ALL_PERMISSIONS;
    let bits = BigInt(String(guild.roles.get(guild.id)?.permissions ?? '0'));
    for (const roleId of member.roles) bits |= BigInt(String(guild.roles.get(roleId)?.permissions ?? '0'));
    return (bits & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : bits;
  }

  private highestRolePosition(guild: GuildState, member: MemberState): number {
    return Math.max(0, ...member.roles.map((roleId) => Number(guild.roles.get(roleId)?.position ?? 0)));
  }

  private rememberUser(input: FakeUserInput): Json {
    const existing = this.users.get(input.id);
    if (existing && input.username === undefined && input.globalName === undefined) return existing;
    const user = apiUser(input);
    this.users.set(input.id, user);
    return user;
  }

  private ensureDmChannel(userId: string): string {
    let channelId = this.dmChannels.get(userId);
    if (channelId === undefined) {
      channelId = snowflake();
      const recipient = this.users.get(userId) ?? this.rememberUser({ id: userId });
      this.dmChannels.set(userId, channelId);
      this.channels.set(channelId, { id: channelId, guildId: null, api: apiDmChannel(channelId, recipient), recipientId: userId });
    }
    return channelId;
  }

  private parseMentions(content: string, guild: GuildState | null): { users: Json[]; roles: string[]; everyone: boolean } {
    const users: Json[] = [];
    const seen = new Set<string>();
    for (const match of content.matchAll(/<@!?(\d{17,20})>/g)) {
      const id = match[1] as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const user = this.users.get(id) ?? apiUser({ id });
      const member = guild?.members.get(id);
      users.push(member ? { ...user, member: apiMember(member, false) } : user);
    }
    const roles = [...new Set([...content.matchAll(/<@&(\d{17,20})>/g)].map((m) => m[1] as string))];
    return { users, roles, everyone: /@(everyone|here)\b/.test(content) };
  }

  // ---------------------------------------------------------------- messages

  private storeMessage(message: Json): void {
    const id = String(message.id);
    const channelId = String(message.channel_id);
    if (!this.messages.has(id)) {
      const list = this.channelMessages.get(channelId) ?? [];
      list.push(id);
      this.channelMessages.set(channelId, list);
    }
    this.messages.set(id, message);
  }

  private dispatchMessageCreate(message: Json, guild: GuildState | null): DispatchResult {
    const d: Json = { ...message };
    const author = isObject(message.author) ? message.author : {};
    if (guild) {
      d.guild_id = guild.id;
      const member = guild.members.get(String(author.id));
      if (member) d.member = apiMember(member, false);
      const channel = this.channels.get(String(message.channel_id));
      d.channel_type = channel?.api.type ?? 0;
      const session = this.sessionForGuild(guild.id);
      const mentionsBot = Array.isArray(message.mentions) && message.mentions.some((u: unknown) => isObject(u) && u.id === this.botUserId);
      if (
        (this.options.enforceMessageContentIntent ?? true) &&
        session &&
        (session.identify.intents & Intent.MessageContent) === 0 &&
        author.id !== this.botUserId &&
        !mentionsBot
      ) {
        Object.assign(d, { content: '', embeds: [], attachments: [], components: [] });
      }
      return this.dispatchGated(Intent.GuildMessages, 'MESSAGE_CREATE', d);
    }
    d.channel_type = 1;
    return this.dispatchGated(Intent.DirectMessages, 'MESSAGE_CREATE', d);
  }

  /** A message authored by the bot from a REST body (channel send, interaction reply, follow-up). */
  private botMessage(channelId: string, body: Json, request: RecordedRequest, extra: Json = {}): Json {
    const guildId = this.channels.get(channelId)?.guildId ?? null;
    const guild = guildId !== null ? (this.guilds.get(guildId) ?? null) : null;
    const content = typeof body.content === 'string' ? body.content : '';
    const mentions = this.parseMentions(content, guild);
    const id = snowflake();
    const attachments = request.files.map((file) => ({
      id: snowflake(),
      filename: file.filename,
      size: file.size,
      content_type: file.contentType ?? undefined,
      url: `http://127.0.0.1:${this.listeningPort}/attachments/${channelId}/${id}/${file.filename}`,
      proxy_url: `http://127.0.0.1:${this.listeningPort}/attachments/${channelId}/${id}/${file.filename}`,
    }));
    const message = apiMessage({
      id,
      channelId,
      author: this.botUser,
      content,
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      attachments,
      flags: typeof body.flags === 'number' ? body.flags : 0,
      tts: body.tts === true,
      nonce: body.nonce,
      mentions: mentions.users,
      mentionRoles: mentions.roles,
      mentionEveryone: mentions.everyone,
    });
    if (isObject(body.message_reference) && body.message_reference.message_id !== undefined) {
      message.type = 19;
      message.message_reference = { type: 0, channel_id: channelId, ...body.message_reference, ...(guildId !== null ? { guild_id: guildId } : {}) };
      message.referenced_message = this.messages.get(String(body.message_reference.message_id)) ?? null;
    }
    return { ...message, ...extra };
  }

  private editMessage(message: Json, body: Json): Json {
    const edited: Json = { ...message, edited_timestamp: new Date().toISOString() };
    if ('content' in body) edited.content = typeof body.content === 'string' ? body.content : '';
    if ('embeds' in body) edited.embeds = Array.isArray(body.embeds) ? body.embeds.map((e: unknown) => (isObject(e) ? { type: 'rich', ...e } : e)) : [];
    if ('components' in body) edited.components = Array.isArray(body.components) ? body.components : [];
    if ('attachments' in body && Array.isArray(body.attachments)) edited.attachments = body.attachments;
    const flags = typeof message.flags === 'number' ? message.flags : 0;
    if ((flags & MESSAGE_FLAG_LOADING) !== 0) {
      edited.flags = flags & ~MESSAGE_FLAG_LOADING;
      edited.edited_timestamp = null;
    }
    this.storeMessage(edited);
    return edited;
  }

  private componentMessage(input: FakeInteractionInput, channelId: string): Json {
    if (input.messageId !== undefined) {
      const stored = this.messages.get(input.messageId);
      if (!stored) throw new Error(`FakeDiscord.interaction: unknown message ${input.messageId}`);
      return stored;
    }
    const id = snowflake();
    const component: Json = { type: input.componentType ?? 2, custom_id: input.customId, id: 2 };
    if ((input.componentType ?? 2) === 2) Object.assign(component, { style: 1, label: 'Button' });
    else Object.assign(component, { options: [], placeholder: null, min_values: 1, max_values: 1 });
    const message = apiMessage({ id, channelId, author: this.botUser, content: 'Press a button', components: [{ type: 1, id: 1, components: [component] }] });
    this.storeMessage(message);
    return message;
  }

  private validateMessage(body: Json, request: RecordedRequest, requireContent: boolean): Reply | null {
    if (this.options.validate === false) return null;
    const errors = validateMessageBody(body);
    if (errors) return error(400, 50035, 'Invalid Form Body', errors);
    if (requireContent && isEmptyMessage(body, request.files.length)) return error(400, 50006, 'Cannot send an empty message');
    return null;
  }

  // ---------------------------------------------------------------- commands

  private commandData(input: FakeInteractionInput, guild: GuildState | null): Json {
    const name = input.name as string;
    const command =
      this.storedCommands.find((c) => c.guildId === (guild?.id ?? null) && c.api.name === name && (c.api.type ?? 1) === 1) ??
      this.storedCommands.find((c) => c.guildId === null && c.api.name === name && (c.api.type ?? 1) === 1);
    let defs: unknown = command?.api.options;
    const pick = (list: unknown, optionName: string, type: number): Json | undefined =>
      Array.isArray(list) ? (list.find((o: unknown) => isObject(o) && o.name === optionName && o.type === type) as Json | undefined) : undefined;
    if (input.subcommandGroup !== undefined) defs = pick(defs, input.subcommandGroup, 2)?.options;
    if (input.subcommand !== undefined) defs = pick(defs, input.subcommand, 1)?.options;

    const resolved: Record<string, Json> = {};
    let options: unknown[];
    if (Array.isArray(input.options)) {
      options = input.options;
    } else {
      options = Object.entries(input.options ?? {}).map(([optionName, value]) => {
        const def = Array.isArray(defs) ? (defs.find((o: unknown) => isObject(o) && o.name === optionName) as Json | undefined) : undefined;
        return this.buildOption(optionName, value, typeof def?.type === 'number' ? def.type : undefined, guild, resolved);
      });
    }
    if (input.subcommand !== undefined) options = [{ type: 1, name: input.subcommand, options }];
    if (input.subcommandGroup !== undefined) options = [{ type: 2, name: input.subcommandGroup, options }];

    const data: Json = { id: command ? command.api.id : snowflake(), name, type: 1, options };
    if (command?.guildId) data.guild_id = command.guildId;
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    return data;
  }

  private buildOption(name: string, value: FakeOptionValue, declared: number | undefined, guild: GuildState | null, resolved: Record<string, Json>): FakeRawOption {
    const add = (kind: string, id: string, object: Json): void => {
      const bucket = resolved[kind] ?? {};
      bucket[id] = object;
      resolved[kind] = bucket;
    };
    const resolveUser = (id: string): void => {
      const user = this.users.get(id) ?? apiUser({ id });
      add('users', id, user);
      const member = guild?.members.get(id);
      if (guild && member) add('members', id, { ...apiMember(member, false), permissions: this.memberPermissions(guild, member).toString() });
    };
    const resolveChannel = (id: string): void => {
      const channel = this.channels.get(id);
      if (!channel) throw new Error(`FakeDiscord.interaction: unknown channel option ${id}`);
      add('channels', id, { id, name: channel.api.name ?? null, type: channel.api.type, parent_id: channel.api.parent_id ?? null, permissions: ALL_PERMISSIONS.toString(), flags: 0 });
    };
    const resolveRole = (id: string): void => {
      const role = guild?.roles.get(id);
      if (!role) throw new Error(`FakeDiscord.interaction: unknown role option ${id}`);
      add('roles', id, role);
    };

    if (typeof value === 'object') {
      if ('user' in value) {
        this.rememberUser(value.user);
        resolveUser(value.user.id);
        return { name, type: declared === 9 ? 9 : 6, value: value.user.id };
      }
      if ('channel' in value) {
        resolveChannel(value.channel);
        return { name, type: 7, value: value.channel };
      }
      if ('role' in value) {
        resolveRole(value.role);
        return { name, type: declared === 9 ? 9 : 8, value: value.role };
      }
      const raw: FakeRawOption = { name, type: value.type, value: value.value };
      if (value.focused !== undefined) raw.focused = value.focused;
      return raw;
    }
    const type = declared ?? (typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3);
    if (type === 6) resolveUser(String(value));
    else if (type === 7) resolveChannel(String(value));
    else if (type === 8) resolveRole(String(value));
    else if (type === 9) {
      if (guild?.roles.has(String(value))) resolveRole(String(value));
      else resolveUser(String(value));
    }
    return { name, type, value };
  }

  private commandReply(guildId: string | null, body: Json, existing: Json | undefined): Json {
    const type = typeof body.type === 'number' ? body.type : 1;
    const api: Json = {
      id: existing?.id ?? snowflake(),
      application_id: this.applicationId,
      version: snowflake(),
      default_member_permissions: body.default_member_permissions ?? null,
      type,
      name: body.name,
      name_localizations: body.name_localizations ?? null,
      description: body.description ?? '',
      description_localizations: body.description_localizations ?? null,
      contexts: body.contexts ?? null,
      integration_types: body.integration_types ?? [0],
      nsfw: body.nsfw ?? false,
    };
    if (Array.isArray(body.options) && body.options.length > 0) api.options = body.options;
    if (guildId !== null) api.guild_id = guildId;
    else api.dm_permission = body.dm_permission ?? true;
    return api;
  }

  private putCommands(guildId: string | null, body: unknown): Reply {
    if (this.options.validate !== false) {
      const errors = validateCommands(body);
      if (errors) return error(400, 50035, 'Invalid Form Body', errors);
    } else if (!Array.isArray(body)) {
      return error(400, 50035, 'Invalid Form Body');
    }
    const previous = this.storedCommands.filter((c) => c.guildId === guildId);
    const next = (body as unknown[]).filter(isObject).map((command) => {
      const existing = previous.find((c) => c.api.name === command.name && (c.api.type ?? 1) === (command.type ?? 1));
      return { guildId, api: this.commandReply(guildId, command, existing?.api) };
    });
    for (let i = this.storedCommands.length - 1; i >= 0; i--) {
      if (this.storedCommands[i]?.guildId === guildId) this.storedCommands.splice(i, 1);
    }
    this.storedCommands.push(...next);
    return json(200, next.map((c) => c.api));
  }

  private postCommand(guildId: string | null, body: Json): Reply {
    if (this.options.validate !== false) {
      const errors = validateCommands([body]);
      if (errors) return error(400, 50035, 'Invalid Form Body', isObject(errors['0']) ? errors['0'] : errors);
    }
    const index = this.storedCommands.findIndex((c) => c.guildId === guildId && c.api.name === body.name && (c.api.type ?? 1) === (body.type ?? 1));
    const existing = index >= 0 ? this.storedCommands[index] : undefined;
    const stored = { guildId, api: this.commandReply(guildId, body, existing?.api) };
    if (index >= 0) this.storedCommands[index] = stored;
    else this.storedCommands.push(stored);
    return json(index >= 0 ? 200 : 201, stored.api);
  }

  // -------------------------------------------------------------------- REST

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req).catch(() => Buffer.alloc(0));
    const parsed = parseBody(raw, req.headers['content-type']);
    const split = splitApiPath(url.pathname);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const request: RecordedRequest = {
      index: this.requests.length,
      method: (req.method ?? 'GET').toUpperCase(),
      path: split ? `/${split.segments.join('/')}` : url.pathname,
      rawPath: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parsed.body,
      files: parsed.files,
      status: 0,
      response: undefined,
      at: Date.now(),
    };
    this.requests.push(request);
    let reply: Reply;
    try {
      reply = this.route(request, split?.version ?? null, parsed.invalidJson);
    } catch (err) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      reply = json(500, { message: `500: FakeDiscord internal error: ${detail}`, code: 0 });
    }
    request.status = reply.status;
    request.response = reply.body;
    const text = reply.body === undefined || reply.status === 204 ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { ...(text ? { 'content-type': 'application/json' } : {}), ...reply.headers });
    res.end(text);
    this.emitter.emit('request', request);
    if (reply.after) setImmediate(reply.after);
  }

  private route(request: RecordedRequest, version: number | null, invalidJson: boolean): Reply {
    if (version !== 10) return error(404, 0, '404: Not Found');
    const override = this.overrides.find((o) => o.remaining > 0 && safeMatch(o.match, request));
    if (override) {
      override.remaining--;
      if (override.remaining === 0) this.overrides.splice(this.overrides.indexOf(override), 1);
      return override.reply();
    }
    const segments = request.path.split('/').filter((segment) => segment !== '');
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.pattern, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== request.method) continue;
      if (route.auth && this.options.token !== undefined && request.headers.authorization !== `Bot ${this.options.token}`) {
        return error(401, 0, '401: Unauthorized');
      }
      if (invalidJson) return error(400, 50109, 'The request body contains invalid JSON.');
      return route.handle({ params, request, body: isObject(request.body) ? request.body : {} });
    }
    return pathMatched ? error(405, 0, '405: Method Not Allowed') : error(404, 0, '404: Not Found');
  }

  private buildRoutes(): RouteDef[] {
    const routes: RouteDef[] = [];
    const add = (method: string, pattern: string, handle: (ctx: RouteContext) => Reply, auth = true): void => {
      routes.push({ method, pattern, handle, auth });
    };
    const app = (ctx: RouteContext): Reply | null => (ctx.params.app === this.applicationId ? null : error(403, 50001, 'Missing Access'));
    const commandGuild = (ctx: RouteContext): Reply | null => app(ctx) ?? (this.guilds.has(ctx.params.gid as string) ? null : error(403, 50001, 'Missing Access'));

    // Gateway, users, application.
    add('GET', '/gateway', () => json(200, { url: this.gatewayUrl }), false);
    add('GET', '/gateway/bot', () =>
      json(200, {
        url: this.gatewayUrl,
        shards: this.options.recommendedShards ?? 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: this.options.maxConcurrency ?? 1 },
      }),
    );
    add('GET', '/users/@me', () => json(200, { ...this.botUser, verified: true, mfa_enabled: false, email: null, locale: 'en-US' }));
    add('GET', '/users/:uid', ({ params }) => {
      const user = this.users.get(params.uid as string);
      return user ? json(200, user) : error(404, 10013, 'Unknown User');
    });
    add('GET', '/applications/@me', () =>
      json(200, {
        id: this.applicationId,
        name: this.botUser.username,
        icon: null,
        description: '',
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        team: null,
        owner: { ...apiUser({ id: snowflake(), username: 'developer' }) },
        bot: this.botUser,
        approximate_guild_count: this.guilds.size,
      }),
    );

    // Application commands.
    add('GET', '/applications/:app/commands', (ctx) => app(ctx) ?? json(200, this.commands()));
    add('PUT', '/applications/:app/commands', (ctx) => app(ctx) ?? this.putCommands(null, ctx.request.body));
    add('POST', '/applications/:app/commands', (ctx) => app(ctx) ?? this.postCommand(null, ctx.body));
    add('GET', '/applications/:app/guilds/:gid/commands', (ctx) => commandGuild(ctx) ?? json(200, this.commands(ctx.params.gid)));
    add('PUT', '/applications/:app/guilds/:gid/commands', (ctx) => commandGuild(ctx) ?? this.putCommands(ctx.params.gid as string, ctx.request.body));
    add('POST', '/applications/:app/guilds/:gid/commands', (ctx) => commandGuild(ctx) ?? this.postCommand(ctx.params.gid as string, ctx.body));
    const findCommand = (guildId: string | null, commandId: string): number =>
      this.storedCommands.findIndex((c) => c.guildId === guildId && c.api.id === commandId);
    add('GET', '/applications/:app/commands/:cmd', (ctx) => {
      const index = findCommand(null, ctx.params.cmd as string);
      return app(ctx) ?? (index >= 0 ? json(200, this.storedCommands[index]?.api) : error(404, 10063, 'Unknown application command'));
    });
    add('DELETE', '/applications/:app/commands/:cmd', (ctx) => {
      const index = findCommand(null, ctx.params.cmd as string);
      if (index < 0) return app(ctx) ?? error(404, 10063, 'Unknown application command');
      this.storedCommands.splice(index, 1);
      return app(ctx) ?? noContent;
    });
    add('GET', '/applications/:app/guilds/:gid/commands/:cmd', (ctx) => {
      const index = findCommand(ctx.params.gid as string, ctx.params.cmd as string);
      return commandGuild(ctx) ?? (index >= 0 ? json(200, this.storedCommands[index]?.api) : error(404, 10063, 'Unknown application command'));
    });
    add('DELETE', '/applications/:app/guilds/:gid/commands/:cmd', (ctx) => {
      const index = findCommand(ctx.params.gid as string, ctx.params.cmd as string);
      if (index < 0) return commandGuild(ctx) ?? error(404, 10063, 'Unknown application command');
      this.storedCommands.splice(index, 1);
      return commandGuild(ctx) ?? noContent;
    });

    // Interactions (no Authorization header: the token in the path is the credential).
    add('POST', '/interactions/:iid/:token/callback', (ctx) => this.interactionCallback(ctx), false);
    add('GET', '/webhooks/:app/:token/messages/:mid', (ctx) => this.webhookMessage(ctx, 'GET'), false);
    add('PATCH', '/webhooks/:app/:token/messages/:mid', (ctx) => this.webhookMessage(ctx, 'PATCH'), false);
    add('DELETE', '/webhooks/:app/:token/messages/:mid', (ctx) => this.webhookMessage(ctx, 'DELETE'), false);
    add('POST', '/webhooks/:app/:token', (ctx) => this.followUp(ctx), false);

    // Channels and messages.
    add('GET', '/channels/:cid', ({ params }) => {
      const channel = this.channels.get(params.cid as string);
      return channel ? json(200, channel.api) : error(404, 10003, 'Unknown Channel');
    });
    add('GET', '/channels/:cid/messages', ({ params, request }) => {
      if (!this.channels.has(params.cid as string)) return error(404, 10003, 'Unknown Channel');
      const limit = Math.min(100, Number(request.query.limit ?? 50) || 50);
      return json(200, this.messagesIn(params.cid as string).reverse().slice(0, limit));
    });
    add('POST', '/channels/:cid/messages', (ctx) => this.createChannelMessage(ctx));
    add('GET', '/channels/:cid/messages/:mid', ({ params }) => {
      const message = this.messages.get(params.mid as string);
      return message && message.channel_id === params.cid ? json(200, message) : error(404, 10008, 'Unknown Message');
    });
    add('PATCH', '/channels/:cid/messages/:mid', ({ params, body, request }) => {
      const message = this.messages.get(params.mid as string);
      if (!message || message.channel_id !== params.cid) return error(404, 10008, 'Unknown Message');
      if (isObject(message.author) && message.author.id !== this.botUserId && ('content' in body || 'embeds' in body)) {
        return error(403, 50005, 'Cannot edit a message authored by another user');
      }
      return this.validateMessage(body, request, false) ?? json(200, this.editMessage(message, body));
    });
    add('DELETE', '/channels/:cid/messages/:mid', ({ params }) => {
      const message = this.messages.get(params.mid as string);
      if (!message || message.channel_id !== params.cid) return error(404, 10008, 'Unknown Message');
      const guildId = this.channels.get(params.cid as string)?.guildId;
      const guild = guildId ? this.guilds.get(guildId) : undefined;
      const others = isObject(message.author) && message.author.id !== this.botUserId;
      if (guild && others && (this.memberPermissions(guild, this.botMember(guild)) & Permission.ManageMessages) === 0n) return error(403, 50013, 'Missing Permissions');
      this.messages.delete(params.mid as string);
      const list = this.channelMessages.get(params.cid as string);
      if (list) list.splice(list.indexOf(params.mid as string), 1);
      return noContent;
    });
    const react = (ctx: RouteContext, adding: boolean): Reply => {
      const { cid, mid, emoji } = ctx.params as { cid: string; mid: string; emoji: string };
      if (!this.channels.has(cid)) return error(404, 10003, 'Unknown Channel');
      const message = this.messages.get(mid);
      if (!message || message.channel_id !== cid) return error(404, 10008, 'Unknown Message');
      const [name, id] = emoji.includes(':') ? emoji.split(':') : [emoji, undefined];
      const reactions = Array.isArray(message.reactions) ? (message.reactions as Json[]).filter((r) => !(isObject(r.emoji) && r.emoji.name === name)) : [];
      if (adding) reactions.push({ count: 1, me: true, me_burst: false, burst_count: 0, emoji: { id: id ?? null, name } });
      this.messages.set(mid, { ...message, reactions });
      return noContent;
    };
    add('PUT', '/channels/:cid/messages/:mid/reactions/:emoji/@me', (ctx) => react(ctx, true));
    add('DELETE', '/channels/:cid/messages/:mid/reactions/:emoji/@me', (ctx) => react(ctx, false));
    add('POST', '/channels/:cid/typing', ({ params }) => (this.channels.has(params.cid as string) ? noContent : error(404, 10003, 'Unknown Channel')));

    // DMs.
    add('POST', '/users/@me/channels', ({ body }) => {
      if (typeof body.recipient_id !== 'string') return error(400, 50035, 'Invalid Form Body', { recipient_id: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } });
      const channelId = this.ensureDmChannel(body.recipient_id);
      return json(200, this.channels.get(channelId)?.api);
    });

    // Guilds and members.
    const guildOf = (ctx: RouteContext): GuildState | undefined => this.guilds.get(ctx.params.gid as string);
    add('GET', '/guilds/:gid', (ctx) => {
      const guild = guildOf(ctx);
      return guild ? json(200, this.guildObject(guild)) : error(404, 10004, 'Unknown Guild');
    });
    add('GET', '/guilds/:gid/channels', (ctx) => {
      const guild = guildOf(ctx);
      return guild ? json(200, guild.channelIds.map((id) => this.channels.get(id)?.api)) : error(404, 10004, 'Unknown Guild');
    });
    add('GET', '/guilds/:gid/roles', (ctx) => {
      const guild = guildOf(ctx);
      return guild ? json(200, [...guild.roles.values()]) : error(404, 10004, 'Unknown Guild');
    });
    add('GET', '/guilds/:gid/members', (ctx) => {
      const guild = guildOf(ctx);
      if (!guild) return error(404, 10004, 'Unknown Guild');
      const limit = Math.min(1000, Number(ctx.request.query.limit ?? 1) || 1);
      const after = BigInt(ctx.request.query.after ?? '0');
      const members = [...guild.members.values()]
        .filter((m) => BigInt(String(m.user.id)) > after)
        .sort((a, b) => (BigInt(String(a.user.id)) < BigInt(String(b.user.id)) ? -1 : 1))
        .slice(0, limit)
        .map((m) => apiMember(m));
      return json(200, members);
    });
    add('GET', '/guilds/:gid/members/:uid', (ctx) => {
      const guild = guildOf(ctx);
      if (!guild) return error(404, 10004, 'Unknown Guild');
      const member = guild.members.get(ctx.params.uid as string);
      return member ? json(200, apiMember(member)) : error(404, 10007, 'Unknown Member');
    });
    const memberRole = (ctx: RouteContext, adding: boolean): Reply => {
      const guild = guildOf(ctx);
      if (!guild) return error(404, 10004, 'Unknown Guild');
      const member = guild.members.get(ctx.params.uid as string);
      if (!member) return error(404, 10007, 'Unknown Member');
      const role = guild.roles.get(ctx.params.rid as string);
      if (!role || role.id === guild.id) return error(404, 10011, 'Unknown Role');
      const bot = this.botMember(guild);
      const botPermissions = this.memberPermissions(guild, bot);
      if ((botPermissions & Permission.ManageRoles) === 0n || Number(role.position) >= this.highestRolePosition(guild, bot) || role.managed === true) {
        return error(403, 50013, 'Missing Permissions');
      }
      const roleId = String(role.id);
      const has = member.roles.includes(roleId);
      if (adding && !has) member.roles.push(roleId);
      if (!adding && has) member.roles.splice(member.roles.indexOf(roleId), 1);
      return {
        status: 204,
        after: () => {
          if (this.sessions.size > 0) this.dispatchGated(Intent.GuildMembers, 'GUILD_MEMBER_UPDATE', { ...apiMember(member), guild_id: guild.id });
        },
      };
    };
    // Moderation: timeout (PATCH communication_disabled_until) and kick (DELETE), with the bot's permission and hierarchy checks.
    const moderated = (ctx: RouteContext, permission: bigint): { guild: GuildState; member: MemberState } | Reply => {
      const guild = guildOf(ctx);
      if (!guild) return error(404, 10004, 'Unknown Guild');
      const member = guild.members.get(ctx.params.uid as string);
      if (!member) return error(404, 10007, 'Unknown Member');
      const bot = this.botMember(guild);
      const above = member.user.id === guild.ownerId || this.highestRolePosition(guild, member) >= this.highestRolePosition(guild, bot);
      if ((this.memberPermissions(guild, bot) & permission) === 0n || above) return error(403, 50013, 'Missing Permissions');
      return { guild, member };
    };
    add('PATCH', '/guilds/:gid/members/:uid', (ctx) => {
      const found = moderated(ctx, Permission.ModerateMembers);
      if (!('member' in found)) return found;
      const { guild, member } = found;
      if (!('communication_disabled_until' in ctx.body)) return json(200, apiMember(member));
      const until = ctx.body.communication_disabled_until;
      if (until !== null) {
        const at = typeof until === 'string' ? Date.parse(until) : NaN;
        if (Number.isNaN(at) || at > Date.now() + 28 * 86_400_000) return error(400, 50035, 'Invalid Form Body', { communication_disabled_until: { _errors: [{ code: 'BASE_TYPE_BAD_TIME', message: 'at most 28 days ahead' }] } });
        if ((this.memberPermissions(guild, member) & Permission.Administrator) !== 0n) return error(403, 50013, 'Missing Permissions');
      }
      member.communicationDisabledUntil = until as string | null;
      return json(200, apiMember(member));
    });
    add('DELETE', '/guilds/:gid/members/:uid', (ctx) => {
      const found = moderated(ctx, Permission.KickMembers);
      if (!('member' in found)) return found;
      const { guild, member } = found;
      guild.members.delete(String(member.user.id));
      return { status: 204, after: () => void this.dispatchGated(Intent.GuildMembers, 'GUILD_MEMBER_REMOVE', { guild_id: guild.id, user: member.user }) };
    });
    add('PUT', '/guilds/:gid/members/:uid/roles/:rid', (ctx) => memberRole(ctx, true));
    add('DELETE', '/guilds/:gid/members/:uid/roles/:rid', (ctx) => memberRole(ctx, false));
    add('POST', '/channels/:cid/polls/:mid/expire', (ctx) => this.polls.expire(ctx.params));
    for (const route of this.automod.routes()) add(route.method, route.pattern, route.handle);
    return routes;
  }

  private createChannelMessage(ctx: RouteContext): Reply {
    const channel = this.channels.get(ctx.params.cid as string);
    if (!channel) return error(404, 10003, 'Unknown Channel');
    if (!TEXT_CHANNEL_TYPES.has(Number(channel.api.type))) return error(400, 50008, 'Cannot send messages in a non-text channel');
    if (channel.recipientId !== null && this.dmBlocked.has(channel.recipientId)) return error(403, 50007, 'Cannot send messages to this user');
    const pollErrors = this.polls.validate(ctx.body);
    if (pollErrors) return error(400, 50035, 'Invalid Form Body', pollErrors);
    const invalid = this.validateMessage(ctx.body, ctx.request, true);
    if (invalid) return invalid;
    // A nonce seen within the window with enforce_nonce: the message created first, nothing new (deleted since: 10008).
    const nonce = typeof ctx.body.nonce === 'string' || typeof ctx.body.nonce === 'number' ? String(ctx.body.nonce) : undefined;
    const seen = nonce !== undefined ? this.nonces.get(nonce) : undefined;
    if (seen && ctx.body.enforce_nonce === true && Date.now() - seen.at <= (this.options.nonceWindowMs ?? 120_000)) {
      const original = this.messages.get(seen.messageId);
      return original ? json(200, original) : error(404, 10008, 'Unknown Message');
    }
    const message = this.polls.attach(this.botMessage(channel.id, ctx.body, ctx.request), ctx.body);
    this.storeMessage(message);
    if (nonce !== undefined) this.nonces.set(nonce, { messageId: String(message.id), at: Date.now() });
    const guild = channel.guildId !== null ? (this.guilds.get(channel.guildId) ?? null) : null;
    return {
      status: 200,
      body: message,
      after: () => {
        if ((this.options.echoBotMessages ?? true) && this.sessions.size > 0) this.dispatchMessageCreate(message, guild);
      },
    };
  }

  private interactionCallback(ctx: RouteContext): Reply {
    const state = this.interactions.get(ctx.params.iid as string);
    if (!state || state.token !== ctx.params.token) return error(404, 10062, 'Unknown interaction');
    const deadline = this.options.interactionDeadlineMs;
    if (deadline !== undefined && Date.now() - state.createdAt > deadline) return error(404, 10062, 'Unknown interaction');
    if (state.acked) return error(400, 40060, 'Interaction has already been acknowledged.');
    const type = ctx.body.type;
    const data = isObject(ctx.body.data) ? ctx.body.data : {};
    const flags = typeof data.flags === 'number' ? data.flags : 0;
    let message: Json | null = null;
    const metadata = {
      interaction_metadata: {
        id: state.id,
        type: state.type,
        user: state.user,
        authorizing_integration_owners: { '0': state.guildId ?? '0' },
        ...(state.sourceMessageId !== null ? { interacted_message_id: state.sourceMessageId } : {}),
      },
      webhook_id: this.applicationId,
      application_id: this.applicationId,
    };
    switch (type) {
      case 4: {
        const invalid = this.validateMessage(data, ctx.request, true);
        if (invalid) return invalid;
        message = this.botMessage(state.channelId, data, ctx.request, { ...metadata, type: state.type === 2 ? 20 : 0 });
        break;
      }
      case 5:
        message = this.botMessage(state.channelId, { content: '', flags: flags | MESSAGE_FLAG_LOADING }, ctx.request, { ...metadata, type: state.type === 2 ? 20 : 0 });
        break;
      case 6:
      case 7: {
        if (state.sourceMessageId === null) return error(400, 50035, 'Invalid Form Body', { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Interaction response type is invalid for this interaction' }] } });
        const source = this.messages.get(state.sourceMessageId);
        if (!source) return error(404, 10008, 'Unknown Message');
        if (type === 7) {
          const invalid = this.validateMessage(data, ctx.request, false);
          if (invalid) return invalid;
          message = this.editMessage(source, data);
        } else {
          message = source;
        }
        break;
      }
      case 8:
      case 9:
      case 10:
      case 12:
        break;
      default:
        return error(400, 50035, 'Invalid Form Body', { type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: `Value must be one of valid interaction callback types.` }] } });
    }
    state.acked = true;
    if (message) {
      state.originalId = String(message.id);
      this.storeMessage(message);
    }
    if (ctx.request.query.with_response === 'true') {
      return json(200, {
        interaction: {
          id: state.id,
          type: state.type,
          activity_instance_id: null,
          response_message_id: message?.id ?? null,
          response_message_loading: type === 5,
          response_message_ephemeral: (flags & MESSAGE_FLAG_EPHEMERAL) !== 0,
        },
        resource: message ? { type, message } : { type },
      });
    }
    return noContent;
  }

  private webhookState(ctx: RouteContext): InteractionState | Reply {
    if (ctx.params.app !== this.applicationId) return error(404, 10015, 'Unknown Webhook');
    const state = this.interactionsByToken.get(ctx.params.token as string);
    if (!state || !state.acked) return error(404, 10015, 'Unknown Webhook');
    return state;
  }

  private webhookMessage(ctx: RouteContext, method: 'GET' | 'PATCH' | 'DELETE'): Reply {
    const state = this.webhookState(ctx);
    if (!('token' in state)) return state;
    const messageId = ctx.params.mid === '@original' ? state.originalId : (ctx.params.mid as string);
    const owned = messageId !== null && (messageId === state.originalId || state.followupIds.has(messageId));
    const message = owned ? this.messages.get(messageId) : undefined;
    if (!message || messageId === null) return error(404, 10008, 'Unknown Message');
    if (method === 'GET') return json(200, message);
    if (method === 'DELETE') {
      this.messages.delete(messageId);
      const list = this.channelMessages.get(String(message.channel_id));
      if (list) list.splice(list.indexOf(messageId), 1);
      if (messageId === state.originalId) state.originalId = null;
      return noContent;
    }
    return this.validateMessage(ctx.body, ctx.request, false) ?? json(200, this.editMessage(message, ctx.body));
  }

  private followUp(ctx: RouteContext): Reply {
    const state = this.webhookState(ctx);
    if (!('token' in state)) return state;
    const invalid = this.validateMessage(ctx.body, ctx.request, true);
    if (invalid) return invalid;
    const message = this.botMessage(state.channelId, ctx.body, ctx.request, {
      webhook_id: this.applicationId,
      application_id: this.applicationId,
      interaction_metadata: { id: state.id, type: state.type, user: state.user, authorizing_integration_owners: { '0': state.guildId ?? '0' } },
    });
    this.storeMessage(message);
    state.followupIds.add(String(message.id));
    return ctx.request.query.wait === 'true' ? json(200, message) : noContent;
  }

  // ----------------------------------------------------------------- gateway

  private onConnection(ws: WebSocket, url: URL): void {
    const connection: Connection = { ws, query: Object.fromEntries(url.searchParams), authenticated: false, closedByServer: false, session: null };
    this.connections.add(connection);
    this.connectionCount++;
    ws.on('message', (data: RawData) => this.onGatewayMessage(connection, data));
    ws.on('error', () => {});
    ws.on('close', (code: number) => {
      this.connections.delete(connection);
      const session = connection.session;
      if (session?.socket === ws) {
        session.socket = null;
        // A client closing with 1000/1001 ends its session (Discord invalidates it).
        if (!connection.closedByServer && (code === 1000 || code === 1001)) this.endSession(session);
      }
      this.emitter.emit('disconnect');
    });
    this.sendRaw(ws, { op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs ?? 41_250, _trace: ['["fake-discord",{"micros":0}]'] }, s: null, t: null });
  }

  private onGatewayMessage(connection: Connection, data: RawData): void {
    let frame: unknown;
    try {
      frame = JSON.parse(rawToString(data));
    } catch {
      this.closeConnection(connection, 4002, 'Error while decoding payload.');
      return;
    }
    if (!isObject(frame) || typeof frame.op !== 'number') {
      this.closeConnection(connection, 4002, 'Error while decoding payload.');
      return;
    }
    const op = frame.op;
    const d = frame.d;
    switch (op) {
      case 1:
        this.sendRaw(connection.ws, { op: 11, d: null, s: null, t: null });
        break;
      case 2:
        this.onIdentify(connection, isObject(d) ? d : {});
        break;
      case 6:
        this.onResume(connection, isObject(d) ? d : {});
        break;
      case 8:
        if (!connection.authenticated) this.closeConnection(connection, 4003, 'Not authenticated.');
        else this.onRequestGuildMembers(connection, isObject(d) ? d : {});
        break;
      case 3:
      case 4:
        if (!connection.authenticated) this.closeConnection(connection, 4003, 'Not authenticated.');
        break;
      default:
        this.closeConnection(connection, 4001, 'Unknown opcode.');
    }
    this.gatewayFrames.push({ index: this.gatewayFrames.length, op, d, at: Date.now() });
    this.emitter.emit('frame');
  }

  private onIdentify(connection: Connection, d: Json): void {
    if (connection.authenticated) {
      this.closeConnection(connection, 4005, 'Already authenticated.');
      return;
    }
    const identify: IdentifyRecord = {
      token: String(d.token ?? ''),
      intents: typeof d.intents === 'number' ? d.intents : Number(d.intents ?? 0),
      properties: isObject(d.properties) ? d.properties : {},
      shard: d.shard,
      compress: d.compress,
      largeThreshold: d.large_threshold,
      presence: d.presence,
      query: connection.query,
      at: Date.now(),
    };
    this.identifies.push(identify);
    if (!this.tokenOk(identify.token)) {
      this.closeConnection(connection, 4004, 'Authentication failed.');
      return;
    }
    if (!Number.isInteger(identify.intents) || identify.intents < 0 || identify.intents >= 1 << 26) {
      this.closeConnection(connection, 4013, 'Invalid intent(s).');
      return;
    }
    const allowed = this.options.privilegedIntents ?? PRIVILEGED_INTENTS;
    if ((identify.intents & PRIVILEGED_INTENTS & ~allowed) !== 0) {
      this.closeConnection(connection, 4014, 'Disallowed intent(s).');
      return;
    }
    // Discord: shard [id, count] with 0 <= id < count, else 4010; fewer shards than the bot needs, 4011.
    const [shard, shardCount] = d.shard === undefined ? [0, 1] : Array.isArray(d.shard) && d.shard.length === 2 ? d.shard : [NaN, NaN];
    if (!Number.isInteger(shard) || !Number.isInteger(shardCount) || shardCount < 1 || shard < 0 || shard >= shardCount) {
      this.closeConnection(connection, 4010, 'Invalid shard.');
      return;
    }
    if (shardCount < (this.options.minShards ?? 1)) {
      this.closeConnection(connection, 4011, 'Sharding required.');
      return;
    }
    connection.authenticated = true;
    const replaced = this.sessions.get(shard);
    const previous = replaced?.socket;
    if (replaced && previous && previous !== connection.ws && previous.readyState === WebSocket.OPEN) {
      if (this.options.parallelSessions) {
        // Both stay connected, and both get the shard's dispatches.
        this.parallel.push(replaced);
      } else {
        for (const other of this.connections) if (other.ws === previous) other.closedByServer = true;
        previous.close(4009, 'Session replaced');
      }
    }
    const session: Session = { id: randomBytes(16).toString('hex'), shard, shardCount, seq: 0, events: [], identify, socket: connection.ws, ready: false };
    this.sessions.delete(shard);
    this.sessions.set(shard, session);
    connection.session = session;
    const guilds = [...this.guilds.values()].filter((guild) => shardOf(guild.id, shardCount) === shard);
    this.dispatchTo(session, 'READY', {
      v: 10,
      user_settings: {},
      user: { ...this.botUser, verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.gatewayUrl,
      shard: [shard, shardCount],
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
      _trace: ['["fake-discord",{"micros":0}]'],
    });
    if (!this.enforcingIntents() || (identify.intents & Intent.Guilds) !== 0) {
      for (const guild of guilds) this.dispatchTo(session, 'GUILD_CREATE', this.guildCreatePayload(guild));
    }
    session.ready = true;
    this.emitter.emit('ready');
  }

  private onResume(connection: Connection, d: Json): void {
    const session = [...this.sessions.values(), ...this.parallel].find((candidate) => candidate.id === d.session_id);
    if (!this.tokenOk(String(d.token ?? ''))) {
      this.closeConnection(connection, 4004, 'Authentication failed.');
      return;
    }
    if (!session || session.id !== d.session_id) {
      this.sendRaw(connection.ws, { op: 9, d: false, s: null, t: null });
      return;
    }
    connection.authenticated = true;
    const previous = session.socket;
    if (previous && previous !== connection.ws && previous.readyState === WebSocket.OPEN) {
      for (const other of this.connections) if (other.ws === previous) other.closedByServer = true;
      previous.close(4009, 'Session resumed elsewhere');
    }
    session.socket = connection.ws;
    connection.session = session;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    for (const frame of session.events) if (frame.s > seq) this.sendRaw(connection.ws, frame);
    this.sendRaw(connection.ws, { op: 0, t: 'RESUMED', s: ++session.seq, d: { _trace: ['["fake-discord",{"micros":0}]'] } });
    this.emitter.emit('ready');
  }

  private onRequestGuildMembers(connection: Connection, d: Json): void {
    const guild = this.guilds.get(String(d.guild_id));
    const session = connection.session;
    if (!guild || !session) return;
    let members = [...guild.members.values()];
    const notFound: string[] = [];
    if (Array.isArray(d.user_ids) || typeof d.user_ids === 'string') {
      const ids = (Array.isArray(d.user_ids) ? d.user_ids : [d.user_ids]).map(String);
      members = members.filter((m) => ids.includes(String(m.user.id)));
      for (const id of ids) if (!guild.members.has(id)) notFound.push(id);
    } else if (typeof d.query === 'string' && d.query !== '') {
      const query = d.query.toLowerCase();
      members = members.filter((m) => String(m.user.username).toLowerCase().startsWith(query));
    }
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : members.length;
    const chunk: Json = {
      guild_id: guild.id,
      members: members.slice(0, limit).map((m) => apiMember(m)),
      chunk_index: 0,
      chunk_count: 1,
      not_found: notFound,
    };
    if (d.nonce !== undefined) chunk.nonce = d.nonce;
    if (d.presences === true) chunk.presences = [];
    this.dispatchTo(session, 'GUILD_MEMBERS_CHUNK', chunk);
  }

  /** Delivers to the session of the guild's shard (DMs: shard 0) when it asked for the intent. */
  private dispatchGated(intent: number, t: string, d: unknown): DispatchResult {
    this.requireSession();
    const session = this.sessionForGuild(guildIdOf(d));
    if (!session) return { s: null, delivered: false, shard: null };
    const { s, sessions } = this.fanOut(session, t, d, intent);
    return { s, delivered: sessions > 0, shard: session.shard };
  }

  /** The session that receives a guild's dispatches: the one whose shard id is (guild_id >> 22) % its count; DMs: shard 0. */
  private sessionForGuild(guildId: string | null): Session | undefined {
    for (const session of this.sessions.values()) {
      if (session.shard === (guildId === null ? 0 : shardOf(guildId, session.shardCount))) return session;
    }
    return undefined;
  }

  /** Forgets a session; a parallel session of the same shard, if any, becomes the shard's session. */
  private endSession(session: Session): void {
    const index = this.parallel.indexOf(session);
    if (index >= 0) {
      this.parallel.splice(index, 1);
      return;
    }
    if (this.sessions.get(session.shard) !== session) return;
    this.sessions.delete(session.shard);
    const next = this.parallel.filter((p) => p.shard === session.shard).at(-1);
    if (next) {
      this.parallel.splice(this.parallel.indexOf(next), 1);
      this.sessions.set(next.shard, next);
    }
  }

  private newestSession(): Session | undefined {
    return [...this.sessions.values()].at(-1);
  }

  private enforcingIntents(): boolean {
    return this.options.enforceIntents ?? true;
  }

  private tokenOk(token: string): boolean {
    const expected = this.options.token;
    return expected === undefined || token === expected || token === `Bot ${expected}`;
  }

  private requireSession(): Session {
    const session = this.newestSession();
    if (!session) throw new Error('FakeDiscord: no gateway session (has a client identified?)');
    return session;
  }

  /** `shard`'s open socket; without it the newest session's, else the newest open socket. */
  private currentConnection(shard?: number): Connection | undefined {
    const open = [...this.connections].filter((c) => c.ws.readyState === WebSocket.OPEN);
    if (shard !== undefined) {
      const socket = this.sessions.get(shard)?.socket;
      return socket ? open.find((c) => c.ws === socket) : undefined;
    }
    const socket = this.newestSession()?.socket;
    return open.find((c) => c.ws === socket) ?? open[open.length - 1];
  }

  private sendOp(op: number, d: unknown, shard?: number): void {
    const connection = this.currentConnection(shard);
    if (!connection) throw new Error(`FakeDiscord: no open gateway connection${shard === undefined ? '' : ` for shard ${shard}`}`);
    this.sendRaw(connection.ws, { op, d, s: null, t: null });
  }

  private sendRaw(ws: WebSocket, frame: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  private closeConnection(connection: Connection, code: number, reason: string): void {
    connection.closedByServer = true;
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.close(code, reason);
  }
}

function dispatchKey(t: string, id: string): string {
  return `${t}:${id}`;
}

/** A dispatch's guild, if it has one (`d.guild_id`). */
function guildIdOf(d: unknown): string | null {
  return isObject(d) && (typeof d.guild_id === 'string' || typeof d.guild_id === 'number') ? String(d.guild_id) : null;
}

function safeMatch(match: RequestMatcher, request: RecordedRequest): boolean {
  try {
    return match(request);
  } catch {
    return false;
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
