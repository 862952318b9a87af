/**
 * The weekly report (周报) on Discord: the app in-process with the real
 * discord.js client against the fake Discord. The report goes to the
 * configured admin channel as a message with the chart as a PNG attachment (a
 * multipart upload), else to each configured admin by direct message; a
 * report is posted once per week.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { CommunityInfo } from '../../src/core/context.js';
import type { Reply } from '../../src/core/reply.js';
import { snowflake, type FakeDiscord, type FakeUserInput, type RecordedRequest } from '../fakes/discord/fake-discord.js';
import { startInProcessDiscordBot, type InProcessDiscordBot } from '../helpers/discord-bot.js';
import { waitFor } from '../helpers/wait.js';

const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const ADMINS_ID = snowflake();
const OWNER: FakeUserInput = { id: snowflake(), username: 'owner' };
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };

let bot: InProcessDiscordBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function start(weeklyReport: Record<string, unknown>): Promise<{ fake: FakeDiscord; app: App }> {
  bot = await startInProcessDiscordBot({
    guild: {
      id: GUILD_ID,
      name: 'Qun Test Server',
      ownerId: OWNER.id,
      channels: [
        { id: GENERAL_ID, name: 'general' },
        { id: ADMINS_ID, name: 'admins' },
      ],
      members: [{ user: ALICE }],
    },
    config: { analytics: { weeklyReport, alerts: { recipients: { [`discord:${GUILD_ID}`]: [OWNER.id] } } } },
  });
  return bot;
}

/** Someone talks so the community exists, then the report of the week before Monday 2026-11-23 09:00 (Shanghai) is due. */
async function reportWeek(f: FakeDiscord, a: App): Promise<void> {
  f.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: 'hello everyone' });
  const community = await waitFor(() => a.identity.communityById(1), 5000, 'the community');
  const committed = await a.store.unit((u) => a.weeklyReports.weeklyFor({ ...community, timezone: 'Asia/Shanghai' } as CommunityInfo, 0, new Date('2026-11-23T02:00:00.000Z'), u.afterCommit));
  expect(committed.value).toBe('2026-11-16');
  await committed.runAfterCommit((err) => {
    throw err;
  });
}

const isPost = (channelId: string) => (r: RecordedRequest) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`;
const outboxImage = async (a: App): Promise<Buffer> => {
  const row = await a.store.sql.prepare<[], { reply_json: string }>("SELECT reply_json FROM deliveries WHERE source = 'analytics-weekly' ORDER BY id LIMIT 1").get();
  return Buffer.from((JSON.parse(row?.reply_json ?? '{}') as Reply).image?.pngBase64 ?? '', 'base64');
};

describe('the weekly report on Discord', () => {
  it('posts in the admin channel with the chart attached as a PNG, once per week', async () => {
    const { fake: f, app: a } = await start({ discordChannel: { [GUILD_ID]: ADMINS_ID } });
    await reportWeek(f, a);
    const post = await f.waitForRequest(isPost(ADMINS_ID), 10_000);
    expect(post.headers['content-type']).toContain('multipart/form-data');
    expect(post.files).toHaveLength(1);
    expect(post.files[0]).toMatchObject({ filename: 'weekly-1-2026-11-16.png' });
    expect(post.files[0]?.data.equals(await outboxImage(a))).toBe(true);
    expect(post.files[0]?.data.subarray(1, 4).toString()).toBe('PNG');
    const body = post.body as { embeds: Array<{ title?: string; description?: string }>; attachments: Array<{ description: string }> };
    expect(body.embeds[0]?.title).toContain('2026-11-16');
    expect(body.attachments[0]?.description).toContain('2026-11-16');
    // Nothing in the community's own channel, and a second run of the week posts nothing.
    expect(f.requests.filter(isPost(GENERAL_ID))).toHaveLength(0);
    const community = (await a.identity.communityById(1)) as CommunityInfo;
    const again = await a.store.unit((u) => a.weeklyReports.weeklyFor({ ...community, timezone: 'Asia/Shanghai' }, 0, new Date('2026-11-23T03:00:00.000Z'), u.afterCommit));
    expect(again.value).toBeUndefined();
  });

  it('without an admin channel, sends it to each configured admin by direct message', async () => {
    const { fake: f, app: a } = await start({});
    await reportWeek(f, a);
    const dm = await waitFor(() => f.dmChannelIdFor(OWNER.id), 10_000, 'the DM channel');
    const post = await f.waitForRequest(isPost(dm), 10_000);
    expect(post.files[0]?.data.equals(await outboxImage(a))).toBe(true);
    expect(f.requests.filter(isPost(GENERAL_ID))).toHaveLength(0);
  });
});
