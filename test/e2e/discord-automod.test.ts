/**
 * Issue #15, Discord AutoMod: the bot keeps keyword and mention-spam rules in sync with the community's
 * word list and spam settings through the real discord.js client against the fake Discord's AutoMod
 * endpoints (test/fakes/discord/automod.ts), never touching rules it does not own; a sync that changes
 * nothing writes nothing; a refusal is recorded and alerted once; AutoMod's action events are strikes on
 * the same ladder, once per message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { Permission, snowflake, type FakeDiscord, type Json, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { moderationGuild, startInProcessDiscordBot, type InProcessDiscordBot } from '../helpers/discord-bot.js';
import { waitFor } from '../helpers/wait.js';

const GUILD = moderationGuild();
const { guildId: GUILD_ID, generalId: GENERAL_ID, alice: ALICE, bob: BOB } = GUILD;
const RULES = `/guilds/${GUILD_ID}/auto-moderation/rules`;

let bot: InProcessDiscordBot | undefined;

async function start(options: { botPermissions?: bigint; moderation?: Record<string, unknown> } = {}): Promise<{ fake: FakeDiscord; app: App }> {
  bot = await startInProcessDiscordBot({
    ...(options.botPermissions !== undefined ? { botPermissions: options.botPermissions } : {}),
    guild: GUILD.guild,
    config: { moderation: { ladder: ['warn', 'timeout'], spam: { links: { newMemberHours: 0 } }, ...options.moderation } },
  });
  return bot;
}

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const automodWrites = (f: FakeDiscord, from = 0): string[] =>
  f.requests.slice(from).filter((r: RecordedRequest) => r.path.startsWith(RULES) && r.method !== 'GET').map((r) => `${r.method} ${r.path.slice(RULES.length) || '/'}`);
const ruleNamed = (f: FakeDiscord, name: string): Json | undefined => f.automod.rules(GUILD_ID).find((r) => r.name === name);
const keywords = (rule: Json | undefined): string[] => ((rule?.trigger_metadata as Json | undefined)?.keyword_filter as string[] | undefined) ?? [];

/** An admin's text command in the channel; resolves once the router committed it. */
async function adminSays(f: FakeDiscord, a: App, content: string): Promise<void> {
  const sent = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content });
  await waitFor(async () => (await a.store.sql.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM inbound_events WHERE delivery_id = ?').get(sent.id))?.n === 1, 5000, content);
}

async function communityId(a: App): Promise<number> {
  const row = await a.store.sql.prepare<[string], { id: number }>("SELECT id FROM communities WHERE platform = 'discord' AND external_id = ?").get(GUILD_ID);
  if (!row) throw new Error('no community yet');
  return row.id;
}

interface StrikeRow {
  source_key: string;
  kind: string;
  rule: string | null;
  matched: string | null;
}
const strikes = (a: App): Promise<StrikeRow[]> => a.store.sql.prepare<[], StrikeRow>('SELECT source_key, kind, rule, matched FROM moderation_strikes ORDER BY id').all();

describe('Discord AutoMod sync', () => {
  it('creates the word-list and mention-spam rules after /mod add, leaves others’ rules alone, and writes nothing when nothing changed', async () => {
    const { fake: f, app: a } = await start();
    // A rule the server's own moderators made: never touched.
    const theirs = await fetch(`${f.apiUrl}/v10${RULES}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bot test-bot-token' },
      body: JSON.stringify({ name: 'Server rule', event_type: 1, trigger_type: 1, trigger_metadata: { keyword_filter: ['spoiler'] }, actions: [{ type: 1 }], enabled: true }),
    });
    expect(theirs.status).toBe(200);
    await adminSays(f, a, '/mod add 广告词汇');
    await waitFor(() => ruleNamed(f, 'qunbot: mention spam'), 5000, 'the bot’s rules');
    const list = ruleNamed(f, 'qunbot: word list 1');
    expect(keywords(list)).toContain('*广告词汇*');
    expect(keywords(list)).toContain('*傻逼*');
    // The list's traditional spellings are keywords of their own (AutoMod reads the text as written).
    expect(keywords(list)).toContain('*操你妈*');
    expect(keywords(list)).toContain('*操你媽*');
    expect(keywords(list)).toContain('fuck you'.replace(' ', ''));
    expect(((list?.trigger_metadata as Json).allow_list as string[]).length).toBeGreaterThan(0);
    expect((ruleNamed(f, 'qunbot: mention spam')?.trigger_metadata as Json).mention_total_limit).toBe(5);
    expect(keywords(ruleNamed(f, 'Server rule'))).toEqual(['spoiler']);

    // Nothing changed: a sync lists and writes nothing.
    const id = await communityId(a);
    const before = f.requests.length;
    const again = await a.moderation.syncAutomod(id, new Date());
    expect(again).toMatchObject({ status: 'ok', writes: 0 });
    expect(automodWrites(f, before)).toEqual([]);

    // /mod remove and /mod spam change the bot's rules only (a PATCH each, no new rule).
    const mark = f.requests.length;
    await adminSays(f, a, '/mod remove 广告词汇');
    await waitFor(() => !keywords(ruleNamed(f, 'qunbot: word list 1')).includes('*广告词汇*'), 5000, 'the word gone from AutoMod');
    await adminSays(f, a, '/mod spam mentions=8');
    await waitFor(() => (ruleNamed(f, 'qunbot: mention spam')?.trigger_metadata as Json).mention_total_limit === 8, 5000, 'the new mention limit');
    expect(automodWrites(f, mark).every((w) => w.startsWith('PATCH '))).toBe(true);
    expect(f.automod.rules(GUILD_ID).map((r) => r.name).sort()).toEqual(['Server rule', 'qunbot: mention spam', 'qunbot: word list 1']);
    expect(keywords(ruleNamed(f, 'Server rule'))).toEqual(['spoiler']);
  });

  it('a blocked message is a strike on the ladder, once: a replayed event, or the bot’s own filter on the same message, adds nothing', async () => {
    const { fake: f, app: a } = await start();
    await adminSays(f, a, '/mod add 广告词汇');
    await waitFor(() => ruleNamed(f, 'qunbot: word list 1'), 5000, 'the bot’s rules');
    const id = await communityId(a);
    await waitFor(async () => (await a.store.sql.prepare<[number], { rule_ids: string }>('SELECT rule_ids FROM moderation_automod WHERE community_id = ?').get(id))?.rule_ids.includes(String(ruleNamed(f, 'qunbot: word list 1')?.id)), 5000, 'the sync recorded');

    const blocked = f.automod.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '加我看广告词汇啦' });
    expect(blocked.blocked?.keyword).toBe('*广告词汇*');
    await waitFor(async () => (await strikes(a)).length === 1, 5000, 'the strike');
    const [first] = await strikes(a);
    expect(first).toMatchObject({ kind: 'filter', rule: 'automod:keyword', matched: '广＊＊＊' });
    expect(first?.source_key).toMatch(/^automod:/);

    // The same event again (a replay): no second strike.
    const ruleId = String(ruleNamed(f, 'qunbot: word list 1')?.id);
    f.automod.execute({ guildId: GUILD_ID, ruleId, userId: ALICE.id, channelId: GENERAL_ID, content: '加我看广告词汇啦', matchedKeyword: '*广告词汇*' });
    // A rule that is not the bot's: not its business.
    f.automod.execute({ guildId: GUILD_ID, ruleId: snowflake(), userId: ALICE.id, channelId: GENERAL_ID, content: 'other', matchedKeyword: 'other' });
    // A message the bot's filter struck, then an AutoMod event about the same message id: one strike.
    const seen = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '你这个傻逼' });
    await waitFor(async () => (await strikes(a)).length === 2, 5000, 'the filter’s strike');
    f.automod.execute({ guildId: GUILD_ID, ruleId, userId: ALICE.id, channelId: GENERAL_ID, messageId: seen.id, content: '你这个傻逼', matchedKeyword: '*傻逼*' });
    // Another blocked message (different text) after them: the ladder's second step times out.
    f.automod.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '广告词汇在这里' });
    await waitFor(async () => (await strikes(a)).length === 3, 5000, 'the third strike');
    const timedOut = await f.waitForRequest((r) => r.method === 'PATCH' && r.path === `/guilds/${GUILD_ID}/members/${ALICE.id}`);
    expect(decodeURIComponent(timedOut.headers['x-audit-log-reason'] ?? '')).toMatch(/^qunbot: (list:\d+|automod:keyword), strike 2$/);
    expect((await strikes(a)).map((s) => s.source_key.split(':')[0])).toEqual(['automod', 'msg', 'automod']);
    // The log names the rule and the masked keyword, never the text.
    const log = await a.store.sql.prepare<[], { rule: string | null; matched: string | null }>("SELECT rule, matched FROM moderation_log WHERE action = 'warn'").all();
    expect(log.some((r) => r.rule === 'automod:keyword')).toBe(true);
    expect(JSON.stringify(log)).not.toContain('加我看');
  });

  it('without Manage Server the sync fails, is recorded and alerted once; the bot’s filter keeps working', async () => {
    const noManage = Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.ReadMessageHistory | Permission.ManageMessages | Permission.ModerateMembers;
    const { fake: f, app: a } = await start({ botPermissions: noManage });
    await adminSays(f, a, '/mod add 广告词汇');
    const id = await communityId(a);
    await waitFor(async () => (await a.store.sql.prepare<[number], { status: string }>('SELECT status FROM moderation_automod WHERE community_id = ?').get(id))?.status === 'failed', 5000, 'the failed sync');
    expect((await a.moderation.syncAutomod(id, new Date()))?.error).toContain('50013');
    const alerts = await a.store.sql.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE source = 'moderation-alert' AND reply_json LIKE '%AutoMod%'").get();
    expect(alerts?.n).toBe(1);
    expect(f.automod.rules(GUILD_ID)).toEqual([]);
    const sent = f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: '广告词汇' });
    await f.waitForRequest((r) => r.method === 'DELETE' && r.path === `/channels/${GENERAL_ID}/messages/${sent.id}`);
  });

  it('a server whose six keyword rules are taken gets no word-list rule; the admins are told how many entries stay with the bot', async () => {
    const { fake: f, app: a } = await start();
    for (let i = 1; i <= 6; i++) {
      const made = await fetch(`${f.apiUrl}/v10${RULES}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bot test-bot-token' },
        body: JSON.stringify({ name: `Server rule ${i}`, event_type: 1, trigger_type: 1, trigger_metadata: { keyword_filter: [`w${i}`] }, actions: [{ type: 1 }], enabled: true }),
      });
      expect(made.status).toBe(200);
    }
    // Discord's limit, as the fake answers it.
    const seventh = await fetch(`${f.apiUrl}/v10${RULES}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bot test-bot-token' },
      body: JSON.stringify({ name: 'one too many', event_type: 1, trigger_type: 1, trigger_metadata: { keyword_filter: ['x'] }, actions: [{ type: 1 }], enabled: true }),
    });
    expect(seventh.status).toBe(400);
    expect(JSON.stringify(await seventh.json())).toContain('AUTO_MODERATION_MAX_RULES_OF_TYPE_EXCEEDED');
    await adminSays(f, a, '/mod add 广告词汇');
    await waitFor(() => ruleNamed(f, 'qunbot: mention spam'), 5000, 'the mention rule');
    const id = await communityId(a);
    await waitFor(async () => (await a.store.sql.prepare<[number], { overflow: number }>('SELECT overflow FROM moderation_automod WHERE community_id = ?').get(id))?.overflow !== undefined, 5000, 'the sync recorded');
    const state = await a.store.sql.prepare<[number], { overflow: number; keywords: number; status: string }>('SELECT overflow, keywords, status FROM moderation_automod WHERE community_id = ?').get(id);
    expect(state).toMatchObject({ status: 'ok', keywords: 0 });
    expect(state?.overflow).toBeGreaterThan(1);
    expect(ruleNamed(f, 'qunbot: word list 1')).toBeUndefined();
    const told = await a.store.sql.prepare<[], { text: string }>("SELECT reply_json AS text FROM deliveries WHERE source = 'moderation-alert'").all();
    expect(told.some((d) => d.text.includes(String(state?.overflow)))).toBe(true);
  });

  it('the fake refuses what Discord refuses: 1,001 keywords, a keyword over 60 characters, a block text over 150', async () => {
    const { fake: f } = await start({ moderation: { discordAutomod: false } });
    const post = (body: Json): Promise<Response> =>
      fetch(`${f.apiUrl}/v10${RULES}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bot test-bot-token' }, body: JSON.stringify({ name: 'n', event_type: 1, trigger_type: 1, enabled: true, ...body }) });
    const many = await post({ trigger_metadata: { keyword_filter: Array.from({ length: 1001 }, (_, i) => `k${i}`) }, actions: [{ type: 1 }] });
    expect(many.status).toBe(400);
    expect(JSON.stringify(await many.json())).toContain('keyword_filter');
    const long = await post({ trigger_metadata: { keyword_filter: ['x'.repeat(61)] }, actions: [{ type: 1 }] });
    expect(long.status).toBe(400);
    const text = await post({ trigger_metadata: { keyword_filter: ['x'] }, actions: [{ type: 1, metadata: { custom_message: 'y'.repeat(151) } }] });
    expect(text.status).toBe(400);
    const ok = await post({ trigger_metadata: { keyword_filter: ['x'.repeat(60)], allow_list: Array.from({ length: 100 }, (_, i) => `a${i}`) }, actions: [{ type: 1, metadata: { custom_message: 'y'.repeat(150) } }] });
    expect(ok.status).toBe(200);
    // With the switch off the bot makes no rule of its own, and does not ask for AutoMod's events.
    expect(f.automod.rules(GUILD_ID).map((r) => r.name)).toEqual(['n']);
    expect((f.lastIdentify?.intents ?? 0) & (1 << 21)).toBe(0);
  });
});
