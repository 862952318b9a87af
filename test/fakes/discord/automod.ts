/**
 * The fake Discord's AutoMod (registered by fake-discord.ts): the rule endpoints with Discord's validation
 * of limits, and a message path that runs the keyword and mention-spam rules before anyone sees a message.
 *
 *   GET|POST /guilds/:gid/auto-moderation/rules, GET|PATCH|DELETE /guilds/:gid/auto-moderation/rules/:rid
 *     Needs Manage Server (403 / 50013). Limits, as Discord answers them (400 / 50035 with `errors`):
 *     at most 6 keyword rules (trigger 1), 1 each of spam (3), keyword preset (4), mention spam (5)
 *     (AUTO_MODERATION_MAX_RULES_OF_TYPE_EXCEEDED); keyword_filter ≤ 1,000 keywords of ≤ 60 characters,
 *     regex_patterns ≤ 10 of ≤ 260, allow_list ≤ 100 (keyword rules) of ≤ 60; mention_total_limit ≤ 50;
 *     a block action's custom_message ≤ 150; exempt_roles ≤ 20, exempt_channels ≤ 50; name 1–100.
 *   fake.automod.rules(guildId)                    the stored rules (API shape)
 *   fake.automod.execute({ guildId, ruleId, userId, ... }): DispatchResult
 *     an AUTO_MODERATION_ACTION_EXECUTION (needs the AutoModerationExecution intent, 1 << 21)
 *   fake.automod.sendMessage(input)               a member's message through AutoMod: a rule that matches
 *     blocks it (no MESSAGE_CREATE; one execution event per block action, without message_id, as on
 *     Discord), else it is delivered as `fake.sendMessage` does. Keywords: `*w*` anywhere, `w*` / `*w`
 *     at a word's start / end, `w` a whole word; case-insensitive; an allow_list entry covering the match
 *     cancels it.
 */
import { discordError, isObject, Permission } from './payloads.js';
import { snowflake } from './snowflake.js';
import type { DispatchResult, FakeMessageInput, Json, RecordedRequest } from './types.js';

export const AUTOMOD_EXECUTION_INTENT = 1 << 21;
const AUTOMOD_CONFIGURATION_INTENT = 1 << 20;

interface Reply {
  status: number;
  body?: unknown;
  after?: () => void;
}

interface RouteContext {
  params: Record<string, string>;
  request: RecordedRequest;
  body: Json;
}

export interface AutomodRoute {
  method: string;
  pattern: string;
  handle: (ctx: RouteContext) => Reply;
}

/** What the fake Discord lends its AutoMod. */
export interface AutomodHost {
  hasGuild(guildId: string): boolean;
  botPermissions(guildId: string): bigint;
  botUserId: string;
  dispatch(intent: number, t: string, d: Json): DispatchResult;
  deliver(input: FakeMessageInput): { id: string; channelId: string } & DispatchResult;
}

const MAX_PER_TRIGGER: Record<number, number> = { 1: 6, 3: 1, 4: 1, 5: 1, 6: 1 };
const TRIGGERS = new Set([1, 3, 4, 5, 6]);

type Errors = Record<string, unknown>;

function invalid(errors: Errors): Reply {
  return { status: 400, body: discordError(50035, 'Invalid Form Body', errors) };
}

function fieldError(code: string, message: string): Json {
  return { _errors: [{ code, message }] };
}

/** Sets `errors.a.b.c` to a field error. */
function put(errors: Errors, path: Array<string | number>, error: Json): void {
  let at: Errors = errors;
  for (const key of path.slice(0, -1)) {
    const next = (at[String(key)] ??= {}) as Errors;
    at = next;
  }
  at[String(path[path.length - 1])] = error;
}

function stringList(errors: Errors, path: string[], value: unknown, max: number, maxLength: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    put(errors, path, fieldError('BASE_TYPE_ARRAY', 'Must be an array'));
    return [];
  }
  if (value.length > max) put(errors, path, fieldError('BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`));
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || item.length > maxLength) put(errors, [...path, i], fieldError('BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${maxLength} in length.`));
  });
  return value.filter((v): v is string => typeof v === 'string');
}

export class FakeAutomod {
  private readonly stored = new Map<string, Json[]>();

  constructor(private readonly host: AutomodHost) {}

  /** The guild's rules, as GET returns them. */
  rules(guildId: string): Json[] {
    return [...(this.stored.get(guildId) ?? [])];
  }

  routes(): AutomodRoute[] {
    const base = '/guilds/:gid/auto-moderation/rules';
    return [
      { method: 'GET', pattern: base, handle: (ctx) => this.guarded(ctx, (list) => ({ status: 200, body: list })) },
      { method: 'POST', pattern: base, handle: (ctx) => this.guarded(ctx, (list, gid) => this.create(gid, list, ctx.body)) },
      { method: 'GET', pattern: `${base}/:rid`, handle: (ctx) => this.guarded(ctx, (list) => this.withRule(list, ctx, (rule) => ({ status: 200, body: rule }))) },
      { method: 'PATCH', pattern: `${base}/:rid`, handle: (ctx) => this.guarded(ctx, (list, gid) => this.withRule(list, ctx, (rule) => this.modify(gid, list, rule, ctx.body))) },
      {
        method: 'DELETE',
        pattern: `${base}/:rid`,
        handle: (ctx) =>
          this.guarded(ctx, (list, gid) =>
            this.withRule(list, ctx, (rule) => {
              list.splice(list.indexOf(rule), 1);
              return { status: 204, after: () => void this.host.dispatch(AUTOMOD_CONFIGURATION_INTENT, 'AUTO_MODERATION_RULE_DELETE', { ...rule, guild_id: gid }) };
            }),
          ),
      },
    ];
  }

  /** Dispatches an AUTO_MODERATION_ACTION_EXECUTION for a rule (block action unless `action` says otherwise). */
  execute(input: { guildId: string; ruleId: string; userId: string; channelId?: string | null; messageId?: string | null; content?: string; matchedKeyword?: string | null; matchedContent?: string | null; action?: Json }): DispatchResult {
    const rule = this.stored.get(input.guildId)?.find((r) => r.id === input.ruleId);
    const d: Json = {
      guild_id: input.guildId,
      action: input.action ?? { type: 1, metadata: { custom_message: '' } },
      rule_id: input.ruleId,
      rule_trigger_type: rule?.trigger_type ?? 1,
      user_id: input.userId,
      content: input.content ?? '',
      matched_keyword: input.matchedKeyword ?? null,
      matched_content: input.matchedContent ?? null,
    };
    if (input.channelId) d.channel_id = input.channelId;
    if (input.messageId) d.message_id = input.messageId;
    return this.host.dispatch(AUTOMOD_EXECUTION_INTENT, 'AUTO_MODERATION_ACTION_EXECUTION', d);
  }

  /**
   * A member's message through the guild's enabled rules: blocked (an execution event per block action of
   * the first rule that matches, no message) or delivered.
   */
  sendMessage(input: FakeMessageInput & { guildId: string }): { blocked: { ruleId: string; keyword: string | null } | null; id: string | null; channelId: string | null } {
    for (const rule of this.stored.get(input.guildId) ?? []) {
      if (rule.enabled !== true) continue;
      const hit = matchRule(rule, input.content);
      if (hit === undefined) continue;
      const actions = Array.isArray(rule.actions) ? (rule.actions as Json[]) : [];
      for (const action of actions) {
        this.execute({ guildId: input.guildId, ruleId: String(rule.id), userId: input.author.id, channelId: input.channelId ?? null, content: input.content, matchedKeyword: hit.keyword, matchedContent: hit.content, action });
      }
      return { blocked: { ruleId: String(rule.id), keyword: hit.keyword }, id: null, channelId: null };
    }
    const sent = this.host.deliver(input);
    return { blocked: null, id: sent.id, channelId: sent.channelId };
  }

  private guarded(ctx: RouteContext, fn: (list: Json[], guildId: string) => Reply): Reply {
    const gid = ctx.params.gid as string;
    if (!this.host.hasGuild(gid)) return { status: 404, body: discordError(10004, 'Unknown Guild') };
    if ((this.host.botPermissions(gid) & Permission.ManageGuild) === 0n) return { status: 403, body: discordError(50013, 'Missing Permissions') };
    let list = this.stored.get(gid);
    if (!list) this.stored.set(gid, (list = []));
    return fn(list, gid);
  }

  private withRule(list: Json[], ctx: RouteContext, fn: (rule: Json) => Reply): Reply {
    const rule = list.find((r) => r.id === ctx.params.rid);
    return rule ? fn(rule) : { status: 404, body: discordError(10066, 'Unknown auto moderation rule') };
  }

  private create(gid: string, list: Json[], body: Json): Reply {
    const errors: Errors = {};
    if (typeof body.name !== 'string') put(errors, ['name'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
    if (body.event_type !== 1 && body.event_type !== 2) put(errors, ['event_type'], fieldError(body.event_type === undefined ? 'BASE_TYPE_REQUIRED' : 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.'));
    const trigger = body.trigger_type;
    if (typeof trigger !== 'number' || !TRIGGERS.has(trigger)) put(errors, ['trigger_type'], fieldError(trigger === undefined ? 'BASE_TYPE_REQUIRED' : 'BASE_TYPE_CHOICES', 'Value must be one of {1, 3, 4, 5, 6}.'));
    if (!Array.isArray(body.actions)) put(errors, ['actions'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
    const rule: Json = {
      id: snowflake(),
      guild_id: gid,
      name: body.name,
      creator_id: this.host.botUserId,
      event_type: body.event_type,
      trigger_type: trigger,
      trigger_metadata: {},
      actions: [],
      enabled: body.enabled === true,
      exempt_roles: [],
      exempt_channels: [],
    };
    const fields = this.validate(rule, body, errors);
    if (Object.keys(errors).length > 0) return invalid(errors);
    const max = MAX_PER_TRIGGER[trigger as number] ?? 1;
    if (list.filter((r) => r.trigger_type === trigger).length >= max) {
      return invalid(fieldError('AUTO_MODERATION_MAX_RULES_OF_TYPE_EXCEEDED', `Maximum number of rules with trigger type ${String(trigger)} is ${max}`));
    }
    Object.assign(rule, fields);
    list.push(rule);
    return { status: 200, body: rule, after: () => void this.host.dispatch(AUTOMOD_CONFIGURATION_INTENT, 'AUTO_MODERATION_RULE_CREATE', rule) };
  }

  private modify(gid: string, _list: Json[], rule: Json, body: Json): Reply {
    const errors: Errors = {};
    const fields = this.validate(rule, body, errors);
    if (Object.keys(errors).length > 0) return invalid(errors);
    Object.assign(rule, fields);
    return { status: 200, body: rule, after: () => void this.host.dispatch(AUTOMOD_CONFIGURATION_INTENT, 'AUTO_MODERATION_RULE_UPDATE', { ...rule, guild_id: gid }) };
  }

  /** The fields `body` sets, checked against Discord's limits (errors collected in `errors`). */
  private validate(rule: Json, body: Json, errors: Errors): Json {
    const out: Json = {};
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) put(errors, ['name'], fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
      else out.name = body.name;
    }
    if (body.enabled !== undefined) out.enabled = body.enabled === true;
    if (body.trigger_metadata !== undefined) {
      const meta = isObject(body.trigger_metadata) ? body.trigger_metadata : {};
      const trigger = rule.trigger_type;
      const path = ['trigger_metadata'];
      const m: Json = {};
      if (trigger === 1) {
        m.keyword_filter = stringList(errors, [...path, 'keyword_filter'], meta.keyword_filter, 1000, 60);
        m.regex_patterns = stringList(errors, [...path, 'regex_patterns'], meta.regex_patterns, 10, 260);
        m.allow_list = stringList(errors, [...path, 'allow_list'], meta.allow_list, 100, 60);
      } else if (trigger === 4) {
        m.presets = Array.isArray(meta.presets) ? meta.presets : [];
        m.allow_list = stringList(errors, [...path, 'allow_list'], meta.allow_list, 1000, 60);
      } else if (trigger === 5) {
        const limit = meta.mention_total_limit;
        if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 50) put(errors, [...path, 'mention_total_limit'], fieldError('NUMBER_TYPE_MAX', 'int value should be less than or equal to 50.'));
        m.mention_total_limit = limit;
        m.mention_raid_protection_enabled = meta.mention_raid_protection_enabled === true;
      }
      out.trigger_metadata = m;
    }
    if (body.actions !== undefined) {
      const actions = Array.isArray(body.actions) ? body.actions : [];
      actions.forEach((a: unknown, i: number) => {
        const action = isObject(a) ? a : {};
        const meta = isObject(action.metadata) ? action.metadata : {};
        if (![1, 2, 3, 4].includes(Number(action.type))) put(errors, ['actions', i, 'type'], fieldError('BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.'));
        if (action.type === 1 && typeof meta.custom_message === 'string' && meta.custom_message.length > 150) put(errors, ['actions', i, 'metadata', 'custom_message'], fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 150 or fewer in length.'));
        if (action.type === 2 && typeof meta.channel_id !== 'string') put(errors, ['actions', i, 'metadata', 'channel_id'], fieldError('BASE_TYPE_REQUIRED', 'This field is required'));
      });
      out.actions = actions;
    }
    if (body.exempt_roles !== undefined) {
      if (!Array.isArray(body.exempt_roles) || body.exempt_roles.length > 20) put(errors, ['exempt_roles'], fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 20 or fewer in length.'));
      else out.exempt_roles = body.exempt_roles;
    }
    if (body.exempt_channels !== undefined) {
      if (!Array.isArray(body.exempt_channels) || body.exempt_channels.length > 50) put(errors, ['exempt_channels'], fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 50 or fewer in length.'));
      else out.exempt_channels = body.exempt_channels;
    }
    return out;
  }
}

const WORD = /[\p{L}\p{N}_]/u;

/** Whether `content` triggers `rule` (keyword and mention-spam rules), with the keyword and the matched text. */
function matchRule(rule: Json, content: string): { keyword: string | null; content: string } | undefined {
  const meta = isObject(rule.trigger_metadata) ? rule.trigger_metadata : {};
  if (rule.trigger_type === 5) {
    const limit = Number(meta.mention_total_limit ?? 0);
    const mentions = new Set(content.match(/<@[!&]?\d+>/g) ?? []);
    return limit > 0 && mentions.size > limit ? { keyword: null, content: '' } : undefined;
  }
  if (rule.trigger_type !== 1) return undefined;
  const text = content.toLowerCase();
  const allow = (Array.isArray(meta.allow_list) ? (meta.allow_list as string[]) : []).map((a) => a.replace(/\*/g, '').toLowerCase());
  for (const keyword of Array.isArray(meta.keyword_filter) ? (meta.keyword_filter as string[]) : []) {
    const anyStart = keyword.startsWith('*');
    const anyEnd = keyword.endsWith('*');
    const word = keyword.replace(/^\*|\*$/g, '').toLowerCase();
    if (word === '') continue;
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
      const end = at + word.length;
      const startOk = anyStart || at === 0 || !WORD.test(text.charAt(at - 1));
      const endOk = anyEnd || end === text.length || !WORD.test(text.charAt(end));
      if (!startOk || !endOk) continue;
      const covered = allow.some((a) => {
        for (let i = text.indexOf(a); i !== -1; i = text.indexOf(a, i + 1)) if (i <= at && i + a.length >= end) return true;
        return false;
      });
      if (!covered) return { keyword, content: content.slice(at, end) };
    }
  }
  return undefined;
}
