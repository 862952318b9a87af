/**
 * Fault: the Discord half of the duplicate storm. Two real bot processes on
 * one database and one Redis prefix, both with the Discord adapter on the
 * same token and the same shard, connected to the fake Discord with
 * parallel sessions: as during a deploy where the old and the new process
 * overlap, each of them receives every dispatch. Every MESSAGE_CREATE (text
 * commands) and INTERACTION_CREATE (slash commands) is sent three times to
 * both sessions at once, six copies in all; every other interaction is also
 * deferred first by a third, outgoing process that never answers. Each delivery's effect happens
 * once (one check-in, one grant, one lottery entry; the ledger matches the
 * balances), every interaction gets exactly one accepted callback and a
 * visible answer, every text command exactly one reply, and the copies that
 * lose (40060 "already acknowledged", duplicates) make no error noise.
 */
import { describe, expect, it } from 'vitest';
import type { SqlValue } from '../../src/store/sql.js';
import { FakeDiscord, Permission, snowflake, type FakeInteractionInput, type FakeUserInput, type Json, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { testPrefix } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { fastConfig, memberOf, invariantViolations, pick, summary, tracker, withDb } from './support.js';

const t = tracker();
const TOKEN = 'storm-bot-token';
const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const ANNOUNCE_ID = snowflake();
const MOD_ROLE_ID = snowflake();
const MOD: FakeUserInput = { id: snowflake(), username: 'mod' };
/** Each dispatch is sent this many times to each of the two sessions. */
const COPIES = 3;

type Delivery = { kind: 'interaction'; id: string; token: string; label: string } | { kind: 'message'; id: string; label: string };

const textOf = (m: Json | undefined): string => {
  if (!m) return '';
  const embeds = (m.embeds as Array<{ title?: string; description?: string }> | undefined) ?? [];
  return [m.content, ...embeds.flatMap((e) => [e.title, e.description])].filter(Boolean).join('\n');
};

describe('duplicate storms on Discord across two processes on one database', () => {
  it(
    'applies each gateway dispatch once however many copies reach however many processes, and answers each once',
    async () => {
      const members = Array.from({ length: pick(6, 40) }, (_, i): FakeUserInput => ({ id: snowflake(), username: `storm${i}` }));
      const discord = await FakeDiscord.start({
        token: TOKEN,
        parallelSessions: true,
        guilds: [
          {
            id: GUILD_ID,
            name: 'Storm Server',
            ownerId: snowflake(),
            channels: [
              { id: GENERAL_ID, name: 'general' },
              { id: ANNOUNCE_ID, name: 'announcements' },
            ],
            roles: [{ id: MOD_ROLE_ID, name: 'Mods', permissions: Permission.ManageGuild, position: 2 }],
            members: [{ user: MOD, roles: [MOD_ROLE_ID] }, ...members.map((user) => ({ user }))],
          },
        ],
      });
      t.later(() => discord.close());

      const dir = t.dir();
      const env = {
        REDIS_PREFIX: testPrefix(),
        CONFIG_FILE: fastConfig(dir, `discord:\n  textCommands: true\n  channels: { "${GUILD_ID}": "${ANNOUNCE_ID}" }\n`),
        DISCORD_TOKEN: TOKEN,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_IDS: GUILD_ID,
      };
      // One after the other: the first applies the migrations. Both identify as shard 0 of 1.
      const bots = [await t.bot(env, dir)];
      await discord.waitForReady(20_000);
      bots.push(await t.bot(env, dir));
      await waitFor(() => discord.shards().filter((s) => s.ready && s.connected).length === 2, 20_000, 'both processes connected on shard 0');
      expect(discord.shards().map((s) => s.shard)).toEqual([0, 0]);
      await waitFor(() => discord.commands(GUILD_ID).length > 0, 20_000, 'slash commands registered');

      const callbacks = (id: string): RecordedRequest[] => discord.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/interactions/${id}/`) && r.path.endsWith('/callback'));
      /** What the member sees: the original response once it stopped "thinking", and the follow-ups. */
      const answerOf = (id: string): string | undefined => {
        const answer = discord.interactionAnswer(id);
        if (!answer?.acknowledged) return undefined;
        const original = answer.original && (Number(answer.original.flags ?? 0) & 128) === 0 ? answer.original : undefined;
        const text = [original, ...answer.followUps].map(textOf).filter(Boolean).join('\n');
        return text || undefined;
      };
      const repliesTo = (messageId: string): Json[] =>
        discord.messagesIn(GENERAL_ID).filter((m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === messageId);
      const answered = (d: Delivery): string | undefined => (d.kind === 'interaction' ? answerOf(d.id) : repliesTo(d.id).map(textOf).join('\n') || undefined);

      const deliveries: Delivery[] = [];
      /**
       * Every other interaction is also deferred at once by a third, outgoing process that then goes away
       * (killed mid-deploy): whichever copy of the two processes does the work finds it acknowledged (40060)
       * and must answer through that deferral.
       */
      const foreignDeferrals: Array<Promise<number>> = [];
      let interactionCount = 0;
      /** One delivery, its two replays right behind it: each to both sessions. */
      const slash = (label: string, input: FakeInteractionInput): Delivery => {
        const handle = discord.interaction(input);
        expect(handle.delivered, label).toBe(true);
        for (let i = 1; i < COPIES; i++) expect(discord.redeliver('INTERACTION_CREATE', handle.id).sessions, label).toBe(2);
        if (interactionCount++ % 2 === 0) {
          foreignDeferrals.push(
            fetch(`${discord.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 5 }) }).then((r) => r.status),
          );
        }
        return { kind: 'interaction', id: handle.id, token: handle.token, label };
      };
      const text = (label: string, author: FakeUserInput, content: string): Delivery => {
        const sent = discord.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author, content });
        expect(sent.delivered, label).toBe(true);
        for (let i = 1; i < COPIES; i++) expect(discord.redeliver('MESSAGE_CREATE', sent.id).sessions, label).toBe(2);
        return { kind: 'message', id: sent.id, label };
      };
      /** A wave of storms at once; resolves when every delivery of it has its answer. */
      const wave = async (name: string, make: () => Delivery[]): Promise<Delivery[]> => {
        const items = make();
        deliveries.push(...items);
        await waitFor(() => items.every((d) => answered(d) !== undefined), pick(90_000, 300_000), `every answer of the ${name} wave`);
        return items;
      };

      const [created] = await wave('lottery', () => [
        slash('lottery create', { guildId: GUILD_ID, channelId: GENERAL_ID, user: MOD, name: 'lottery', subcommand: 'create', options: { prize: '奖品', winners: 1, ends: '+1h', cost: 2 } }),
      ]);
      const lotteryId = /#(\d+)/.exec(answered(created as Delivery) ?? '')?.[1];
      expect(lotteryId, answered(created as Delivery)).toBeDefined();

      // First sight of each member is a text command; then grants, lottery joins, a second check-in, and text grants.
      await wave('text check-in', () => members.map((m) => text(`text checkin ${m.username}`, m, '/checkin')));
      await wave('grant', () =>
        members.map((m, i) => slash(`grant ${m.username}`, { guildId: GUILD_ID, channelId: GENERAL_ID, user: MOD, name: 'grant', options: { member: { user: m }, points: i + 1, reason: 'storm' } })),
      );
      await wave('lottery join', () =>
        members.map((m) => slash(`join ${m.username}`, { guildId: GUILD_ID, channelId: GENERAL_ID, user: m, name: 'lottery', subcommand: 'join', options: { id: Number(lotteryId) } })),
      );
      const again = await wave('slash check-in', () => members.map((m) => slash(`slash checkin ${m.username}`, { guildId: GUILD_ID, channelId: GENERAL_ID, user: m, name: 'checkin' })));
      await wave('text grant', () => members.map((m, i) => text(`text grant ${m.username}`, MOD, `/grant <@${m.id}> ${100 + i} text`)));

      // Both processes got every copy: each interaction was claimed by one copy of six, the five others were duplicates,
      // at least COPIES - 1 of them in each process (late ones may still be deferring).
      const interactions = deliveries.filter((d) => d.kind === 'interaction').length;
      const logged = (bot: (typeof bots)[number], msg: string): number => bot.output().split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;
      const duplicates = (): number[] => bots.map((bot) => logged(bot, 'duplicate interaction ignored'));
      await waitFor(() => duplicates().reduce((a, b) => a + b, 0) === interactions * (2 * COPIES - 1), 30_000, 'every duplicate copy handled');
      for (const n of duplicates()) expect(n).toBeGreaterThanOrEqual(interactions * (COPIES - 1));

      // Every interaction: exactly one callback accepted; every other one Discord's 40060. Every text command: one reply.
      let refused = 0;
      for (const d of deliveries) {
        const answer = answered(d) ?? '';
        expect(answer, d.label).not.toContain('Sorry');
        if (d.kind === 'interaction') {
          const statuses = callbacks(d.id).map((r) => [r.status, (r.response as { code?: number } | undefined)?.code ?? null]);
          expect(statuses.filter(([status]) => status === 204 || status === 200), `${d.label}: ${JSON.stringify(statuses)}`).toHaveLength(1);
          expect(statuses.filter(([status]) => status !== 204 && status !== 200), d.label).toEqual(statuses.filter(([, code]) => code === 40060));
          refused += statuses.length - 1;
          expect(discord.interactionAnswer(d.id)?.followUps.length ?? 0, d.label).toBeLessThanOrEqual(1);
        } else {
          expect(repliesTo(d.id), d.label).toHaveLength(1);
        }
      }
      for (const d of again) expect(answered(d), d.label).toContain('already checked in');

      // The outgoing process's deferrals that Discord accepted were each taken over by the copy that did the work.
      const acceptedForeign = (await Promise.all(foreignDeferrals)).filter((status) => status === 204).length;
      expect(acceptedForeign, 'some deferrals of the outgoing process came first').toBeGreaterThan(0);
      const takenOver = bots.reduce((sum, bot) => sum + logged(bot, 'interaction already acknowledged by another copy of its dispatch'), 0);
      expect(takenOver).toBeGreaterThanOrEqual(acceptedForeign);

      // No error noise from the losing copies: no failed interaction, no failed message, no error-level Discord line.
      for (const bot of bots) {
        const noisy = bot
          .output()
          .split('\n')
          .filter((line) => line.includes('"component":"discord"') && /"level":(4|5|6)0/.test(line));
        expect(noisy, `process on port ${bot.port}`).toEqual([]);
      }

      await withDb(dir, async (db) => {
        expect(await invariantViolations(db)).toEqual([]);
        const n = async (sql: string, ...params: SqlValue[]): Promise<number> => Number(((await db.prepare(sql).get(...params)) as { n: number | string }).n);
        expect(await n("SELECT COUNT(*) AS n FROM communities WHERE platform = 'discord' AND external_id = ?", GUILD_ID)).toBe(1);
        expect(await n("SELECT COUNT(*) AS n FROM member_accounts WHERE platform = 'discord'")).toBe(members.length + 1);
        expect(await n('SELECT COUNT(*) AS n FROM lotteries')).toBe(1);
        for (const [i, m] of members.entries()) {
          const id = (await memberOf(db, m.id, 'discord')) ?? null;
          expect(id, m.username).not.toBeNull();
          expect(await n("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND reason = 'checkin'", id), m.username).toBe(1);
          expect(await n("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND kind = 'adjust' AND delta = ?", id, i + 1), m.username).toBe(1);
          expect(await n("SELECT COUNT(*) AS n FROM points_ledger WHERE member_id = ? AND kind = 'adjust' AND delta = ?", id, 100 + i), m.username).toBe(1);
          expect(await n('SELECT COUNT(*) AS n FROM lottery_entries WHERE member_id = ?', id), m.username).toBe(1);
        }
        expect(await n("SELECT COUNT(*) AS n FROM inbound_events WHERE platform = 'discord'")).toBe(deliveries.length);
      });
      summary('discord-storm', { processes: 2, deliveries: deliveries.length, copiesPerProcess: COPIES, dispatches: deliveries.length * COPIES * 2, refusedCallbacks: refused, takenOver });
    },
    pick(240_000, 1_200_000),
  );
});
