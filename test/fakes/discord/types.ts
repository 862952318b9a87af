/**
 * Input, record and handle types of the fake Discord server (see fake-discord.ts for the API).
 */

/** Any JSON object as Discord sends or receives it (snake_case keys). */
export type Json = Record<string, unknown>;

/** A user as tests describe it; missing fields get Discord-like defaults. */
export interface FakeUserInput {
  id: string;
  username?: string;
  globalName?: string | null;
  bot?: boolean;
  avatar?: string | null;
}

export interface FakeChannelInput {
  id: string;
  name: string;
  /** Discord channel type: 0 text (default), 2 voice, 4 category, 5 announcement, 15 forum. */
  type?: number;
  parentId?: string | null;
  position?: number;
  topic?: string | null;
}

export interface FakeRoleInput {
  id: string;
  name: string;
  /** Permission bitfield (Discord sends it as a decimal string). Default "0". */
  permissions?: string | bigint;
  position?: number;
  color?: number;
  managed?: boolean;
}

export interface FakeMemberInput {
  user: FakeUserInput;
  /** Role ids (without the @everyone role, as Discord sends them). */
  roles?: string[];
  nick?: string | null;
  /** ISO timestamp; default: when the fake started. */
  joinedAt?: string;
}

export interface FakeGuildInput {
  id: string;
  name: string;
  ownerId: string;
  channels: FakeChannelInput[];
  roles?: FakeRoleInput[];
  members?: FakeMemberInput[];
  /** Permissions of the @everyone role (id = guild id). Default: a plain member's set (view, send, react, history, embed, attach, external emoji, use commands). */
  everyonePermissions?: string | bigint;
  preferredLocale?: string;
  systemChannelId?: string | null;
}

export interface FakeDiscordOptions {
  guilds: FakeGuildInput[];
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  /** Permissions of the bot's managed role in every guild. Default "8" (Administrator). */
  botPermissions?: string | bigint;
  /** When set, REST calls (except interaction callbacks and webhooks) need `Authorization: Bot <token>` (else 401) and IDENTIFY/RESUME need this token (else close 4004). */
  token?: string;
  /**
   * Privileged intents "enabled in the developer portal". IDENTIFY asking for a privileged intent
   * (GuildMembers 1<<1, GuildPresences 1<<8, MessageContent 1<<15) outside this mask is closed with 4014.
   * Default: all three enabled.
   */
  privilegedIntents?: number;
  /** HELLO heartbeat_interval. Default 41250 ms, as Discord sends. */
  heartbeatIntervalMs?: number;
  /**
   * Emulate the MessageContent intent: without it, guild MESSAGE_CREATEs that do not mention the bot
   * arrive with empty content/embeds/attachments/components. Default true.
   */
  enforceMessageContentIntent?: boolean;
  /** Deliver intent-gated dispatches from the builders only if the IDENTIFY intents ask for them. Default true. */
  enforceIntents?: boolean;
  /** Echo the bot's own REST-created messages as MESSAGE_CREATE on the gateway, as Discord does. Default true. */
  echoBotMessages?: boolean;
  /** Validate slash-command definitions and message bodies against Discord's limits (400 / 50035, 50006). Default true. */
  validate?: boolean;
  /** When set, interaction callbacks arriving later than this after the dispatch answer 404 / 10062 Unknown interaction (Discord: 3000). Default: not enforced. */
  interactionDeadlineMs?: number;
  /** `shards` in GET /gateway/bot: the count a client with `shards: 'auto'` runs. Default 1. */
  recommendedShards?: number;
  /** Smallest shard count an IDENTIFY may carry; fewer closes with 4011 Sharding required (Discord: one shard per 2,500 guilds). Default 1. */
  minShards?: number;
  /** `session_start_limit.max_concurrency`: shards discord.js identifies at once (1 means one every 5 s). Default 1. */
  maxConcurrency?: number;
  /**
   * A second IDENTIFY for a shard whose session is still connected opens a parallel session instead of
   * replacing the first (close 4009), and every dispatch for that shard goes to each of them: two bot
   * processes on one token, both receiving every event, as during a deploy where the old and the new process
   * overlap (on Discord this is the familiar "my bot answers twice"). Default false: the newest IDENTIFY
   * replaces the shard's session.
   */
  parallelSessions?: boolean;
  /**
   * How long a Create Message nonce is remembered: a second create with the same nonce and
   * `enforce_nonce: true` within this window returns the message created first and posts nothing (404 / 10008
   * if that message was deleted since). Discord says "the past few minutes" and does not publish the window.
   * Default 120000.
   */
  nonceWindowMs?: number;
}

/** A REST request the fake received. */
export interface RecordedRequest {
  /** 0-based arrival index in `fake.requests`. */
  index: number;
  method: string;
  /** Route below `/api/v10`, each segment percent-decoded: `/webhooks/1/tok/messages/@original`. */
  path: string;
  /** The path exactly as received, including `/api/v10` and percent-encoding. */
  rawPath: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body; for multipart requests the parsed `payload_json` part; `undefined` if none. */
  body: unknown;
  /** File parts of a multipart request. */
  files: RecordedFile[];
  /** Status the fake answered with. */
  status: number;
  /** Response body the fake sent (parsed), if any. */
  response: unknown;
  at: number;
}

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string | null;
  size: number;
  /** The uploaded bytes (a test compares them with what the bot meant to send). */
  data: Buffer;
}

/** Predicate over requests; `matchRoute('POST', '/channels/:id/messages')` builds one. */
export type RequestMatcher = (request: RecordedRequest) => boolean;

/** One IDENTIFY (op 2) the fake received. */
export interface IdentifyRecord {
  token: string;
  intents: number;
  properties: Json;
  shard: unknown;
  compress: unknown;
  largeThreshold: unknown;
  presence: unknown;
  /** `?v=..&encoding=..` of the socket it came on. */
  query: Record<string, string>;
  at: number;
}

/** One gateway frame received from the client. */
export interface GatewayFrame {
  index: number;
  op: number;
  d: unknown;
  at: number;
}

export interface RateLimitOptions {
  /** Retry-After (seconds, may be fractional). Default 0.2. */
  retryAfterSeconds?: number;
  /** How many matching requests get a 429. Default 1. */
  times?: number;
  /** Global rate limit (`X-RateLimit-Global: true`, scope "global"). Default false. */
  global?: boolean;
  /** X-RateLimit-Scope; default "user" (or "global"). */
  scope?: 'user' | 'global' | 'shared';
  /** X-RateLimit-Limit; default 5. */
  limit?: number;
}

export interface CannedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get this answer. Default 1. */
  times?: number;
}

/** Option values for `fake.interaction({ options })`. */
export type FakeOptionValue =
  | string
  | number
  | boolean
  | { user: FakeUserInput }
  | { channel: string }
  | { role: string }
  | { type: number; value: string | number | boolean; focused?: boolean };

/** Raw application-command interaction options, passed through untouched. */
export interface FakeRawOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: FakeRawOption[];
  focused?: boolean;
}

export interface FakeInteractionInput {
  /** Omit for a DM interaction. */
  guildId?: string;
  /** Default: the guild's first text channel (or the user's DM channel). */
  channelId?: string;
  user: FakeUserInput;
  /** Invoking member's permissions bitfield. Default: computed from the member's roles in the guild. */
  permissions?: string | bigint;
  /** Interaction type: 2 application command (default when `name` is set), 3 component (default when `customId` is set), 4 autocomplete, 5 modal submit. */
  type?: 2 | 3 | 4 | 5;
  /** Command name (types 2 and 4). */
  name?: string;
  /** Object form `{ amount: 5, target: { user } }` (types follow the registered command if the fake knows it, else are inferred) or raw Discord options. */
  options?: Record<string, FakeOptionValue> | FakeRawOption[];
  subcommand?: string;
  subcommandGroup?: string;
  /** Component / modal custom id (types 3 and 5). */
  customId?: string;
  /** Component type for type 3. Default 2 (button). */
  componentType?: number;
  /** Selected values for select menus (type 3). */
  values?: string[];
  /** For type 3: a message the fake stored (e.g. one the bot sent); default: a synthetic bot message carrying the button. */
  messageId?: string;
  id?: string;
  locale?: string;
  /** Extra fields merged into `data` (e.g. modal `components`, `resolved`). */
  data?: Json;
}

export interface FakeInteractionHandle {
  id: string;
  token: string;
  applicationId: string;
  /** The INTERACTION_CREATE `d` that was dispatched. */
  payload: Json;
  /** False when no session runs the shard of the interaction's guild (DMs: shard 0). */
  delivered: boolean;
  /** The shard whose session got it, or null. */
  shard: number | null;
  /** Resolves with the first `POST /interactions/{id}/{token}/callback`. */
  waitForCallback(timeoutMs?: number): Promise<RecordedRequest>;
}

export interface FakeMessageInput {
  /** Omit for a DM to the bot (then `channelId` may be omitted too; the user's DM channel is used). */
  guildId?: string;
  channelId?: string;
  author: FakeUserInput;
  content: string;
  id?: string;
  embeds?: Json[];
  attachments?: Json[];
  /** Message type; default 0. */
  type?: number;
}

export interface DispatchResult {
  /** Sequence number used, or null if the dispatch was dropped (no session for its shard, or the client lacks the intent). */
  s: number | null;
  delivered: boolean;
  /** The shard the dispatch belongs to when a session runs it (guilds: (guild_id >> 22) % count; DMs: 0), else null. */
  shard: number | null;
}

/** One gateway session of the fake, as `fake.shards()` lists it. */
export interface ShardSession {
  shard: number;
  shardCount: number;
  sessionId: string;
  /** READY and its GUILD_CREATEs sent (or RESUMED). */
  ready: boolean;
  /** Its socket is open. */
  connected: boolean;
}
