/**
 * The fake Discord's native polls (test/fakes/discord/polls.ts) with the real
 * discord.js REST client and gateway: a poll validated like Discord (400 /
 * 50035 naming the field), kept on its message, votes dispatched with the
 * GuildMessagePolls intent (a single choice taken back before a new one), and
 * the expire endpoint with Discord's refusals.
 */
import { Client, DiscordAPIError, GatewayIntentBits, REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord, snowflake, type FakeUserInput, type Json } from '../fakes/discord/fake-discord.js';
import { waitFor } from '../helpers/wait.js';

const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice' };

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

const poll = (over: Record<string, unknown> = {}) => ({ question: { text: 'Best fruit?' }, answers: [{ poll_media: { text: 'apple' } }, { poll_media: { text: 'banana' } }], duration: 2, allow_multiselect: false, layout_type: 1, ...over });

async function refusal(call: Promise<unknown>): Promise<{ status: number; code: number | string; errors: unknown }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof DiscordAPIError) return { status: err.status, code: err.code, errors: (err.rawError as { errors?: unknown }).errors };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('fake Discord native polls', () => {
  it('validates a poll like Discord, keeps it on the message, sends votes and expires it once', async () => {
    fake = await FakeDiscord.start({ guilds: [{ id: GUILD_ID, name: 'Qun', ownerId: ALICE.id, channels: [{ id: GENERAL_ID, name: 'general' }], members: [{ user: ALICE }] }] });
    const rest = new REST({ api: fake.apiUrl, retries: 0 }).setToken('fake-token');
    const post = (body: Record<string, unknown>) => rest.post(Routes.channelMessages(GENERAL_ID), { body });

    const tooMany = await refusal(post({ poll: poll({ answers: Array.from({ length: 11 }, (_, i) => ({ poll_media: { text: `o${i}` } })) }) }));
    expect(tooMany).toMatchObject({ status: 400, code: 50035, errors: { poll: { answers: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } });
    const long = await refusal(post({ poll: poll({ question: { text: 'q'.repeat(301) }, answers: [{ poll_media: { text: 'a'.repeat(56) } }], duration: 769 }) }));
    expect(long.errors).toMatchObject({ poll: { question: { text: {} }, answers: { 0: { poll_media: { text: {} } } }, duration: {} } });

    const message = (await post({ content: '📊 Poll #1', poll: poll() })) as Json;
    expect(message.poll).toMatchObject({ question: { text: 'Best fruit?' }, answers: [{ answer_id: 1, poll_media: { text: 'apple' } }, { answer_id: 2 }], allow_multiselect: false, results: { is_finalized: false } });

    client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessagePolls], rest: { api: fake.apiUrl, retries: 0 } });
    const seen: string[] = [];
    client.ws.on('MESSAGE_POLL_VOTE_ADD' as never, (d: Json) => seen.push(`add:${String(d.answer_id)}`));
    client.ws.on('MESSAGE_POLL_VOTE_REMOVE' as never, (d: Json) => seen.push(`remove:${String(d.answer_id)}`));
    await client.login('fake-token');
    await fake.waitForReady();
    const id = String(message.id);
    fake.polls.vote({ messageId: id, userId: ALICE.id, answerId: 1 });
    fake.polls.vote({ messageId: id, userId: ALICE.id, answerId: 2 });
    await waitFor(() => seen.length === 3, 5000, 'three dispatches');
    expect(seen).toEqual(['add:1', 'remove:1', 'add:2']);
    expect(fake.polls.pollOf(id)).toMatchObject({ results: { answer_counts: [{ id: 1, count: 0 }, { id: 2, count: 1 }] } });

    const expired = (await rest.post(Routes.expirePoll(GENERAL_ID, id))) as Json;
    expect(expired.poll).toMatchObject({ results: { is_finalized: true } });
    expect(fake.polls.expired(id)).toBe(true);
    expect(await refusal(rest.post(Routes.expirePoll(GENERAL_ID, id)))).toMatchObject({ status: 400, code: 520001 });
    expect(() => fake?.polls.vote({ messageId: id, userId: ALICE.id, answerId: 1 })).toThrow(/ended/);
    const plain = (await post({ content: 'no poll here' })) as Json;
    expect(await refusal(rest.post(Routes.expirePoll(GENERAL_ID, String(plain.id))))).toMatchObject({ status: 400, code: 520006 });
    expect(await refusal(rest.post(Routes.expirePoll(GENERAL_ID, snowflake())))).toMatchObject({ status: 404, code: 10008 });
  });
});
