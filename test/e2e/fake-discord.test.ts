/**
 * The fake Discord server (test/fakes/discord) against the real discord.js 14 client: login, commands,
 * interactions, buttons, rate limits, member and message events, resume, DMs, members, roles.
 */
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  RESTEvents,
  type ApplicationCommandDataResolvable,
  type ClientEvents,
  type RateLimitData,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord, matchRoute, shardOf, snowflake, snowflakeOnShard, type FakeUserInput } from '../fakes/discord/fake-discord.js';

const GUILD_ID = snowflake();
const GENERAL_ID = snowflake();
const ANNOUNCE_ID = snowflake();
const MOD_ROLE_ID = snowflake();
const MEMBER_ROLE_ID = snowflake();
const OWNER: FakeUserInput = { id: snowflake(), username: 'owner' };
const ALICE: FakeUserInput = { id: snowflake(), username: 'alice', globalName: 'Alice' };
const BOB: FakeUserInput = { id: snowflake(), username: 'bob' };
const CAROL: FakeUserInput = { id: snowflake(), username: 'carol' };

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
const INTENT_BITS = 1 | (1 << 1) | (1 << 9) | (1 << 12);

let fake: FakeDiscord;
const clients: Client[] = [];

async function startFake(extra: Partial<Parameters<typeof FakeDiscord.start>[0]> = {}): Promise<FakeDiscord> {
  return FakeDiscord.start({
    guilds: [
      {
        id: GUILD_ID,
        name: 'Qun Test Server',
        ownerId: OWNER.id,
        channels: [
          { id: GENERAL_ID, name: 'general' },
          { id: ANNOUNCE_ID, name: 'announcements' },
        ],
        roles: [
          { id: MOD_ROLE_ID, name: 'Mods', permissions: 1n << 5n, position: 2 },
          { id: MEMBER_ROLE_ID, name: 'Members', position: 1 },
        ],
        members: [{ user: ALICE }, { user: BOB, roles: [MOD_ROLE_ID] }],
      },
    ],
    ...extra,
  });
}

function newClient(intents: GatewayIntentBits[] = INTENTS): Client {
  const client = new Client({ intents, partials: [Partials.Channel], rest: { api: fake.apiUrl, retries: 0, timeout: 2000 } });
  clients.push(client);
  return client;
}

async function connect(intents: GatewayIntentBits[] = INTENTS): Promise<Client<true>> {
  const client = newClient(intents);
  const ready = nextEvent(client, Events.ClientReady, () => true, 10_000); // attached before login
  await client.login('fake-token');
  const [readyClient] = await ready;
  return readyClient;
}

function nextEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  filter: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

function textChannel(client: Client, id: string) {
  const channel = client.channels.cache.get(id);
  if (!channel?.isSendable()) throw new Error(`channel ${id} is not sendable`);
  return channel;
}

const COMMANDS: ApplicationCommandDataResolvable[] = [
  { name: 'checkin', description: 'Daily check-in' },
  {
    name: 'points',
    description: 'Points',
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'give',
        description: 'Give points to a member',
        options: [
          { type: ApplicationCommandOptionType.User, name: 'member', description: 'Who', required: true },
          { type: ApplicationCommandOptionType.Integer, name: 'amount', description: 'How many', required: true },
          { type: ApplicationCommandOptionType.Number, name: 'factor', description: 'Multiplier' },
        ],
      },
    ],
  },
];

beforeEach(async () => {
  fake = await startFake();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await fake.close();
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in, becomes ready with the guild and its channels cached, and IDENTIFY carries the intents', async () => {
    const client = await connect();
    const guild = client.guilds.cache.get(GUILD_ID);
    expect(guild?.name).toBe('Qun Test Server');
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(GENERAL_ID)?.name).toBe('general');
    expect(guild?.members.me?.id).toBe(fake.botUserId);
    expect(guild?.members.cache.get(BOB.id)?.roles.cache.has(MOD_ROLE_ID)).toBe(true);
    expect(client.user.id).toBe(fake.botUserId);
    expect(client.application.id).toBe(fake.applicationId);

    const identify = await fake.waitForReady();
    expect(identify.intents).toBe(INTENT_BITS);
    expect(identify.token).toBe('fake-token');
    expect(identify.query).toMatchObject({ v: '10', encoding: 'json' });
    const gatewayBot = await fake.waitForRequest(matchRoute('GET', '/gateway/bot'));
    expect(gatewayBot.headers.authorization).toBe('Bot fake-token');
  });

  it('registers guild slash commands and returns them with ids; rejects invalid definitions with 50035', async () => {
    const client = await connect();
    const set = await client.application.commands.set(COMMANDS, GUILD_ID);
    expect([...set.values()].map((c) => c.name).sort()).toEqual(['checkin', 'points']);
    for (const command of set.values()) expect(command.id).toMatch(/^\d{17,20}$/);

    const put = await fake.waitForRequest(matchRoute('PUT', '/applications/:app/guilds/:gid/commands'));
    expect(put.path).toBe(`/applications/${fake.applicationId}/guilds/${GUILD_ID}/commands`);
    expect(put.body).toHaveLength(2);
    expect(fake.commands(GUILD_ID).map((c) => c.name)).toEqual(['checkin', 'points']);

    const fetched = await client.application.commands.fetch({ guildId: GUILD_ID });
    expect(fetched.size).toBe(2);

    const bad = client.application.commands.set([{ name: 'CheckIn', description: 'upper case is not allowed' }], GUILD_ID);
    await expect(bad).rejects.toMatchObject({ code: 50035, status: 400 });
  });

  it('delivers a slash command; reply, deferReply + editReply (%40original) and followUp reach the fake', async () => {
    const client = await connect();
    await client.application.commands.set(COMMANDS, GUILD_ID);

    // reply (ephemeral)
    let created = nextEvent(client, Events.InteractionCreate);
    const first = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, name: 'checkin', locale: 'zh-CN' });
    let [interaction] = await created;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandName).toBe('checkin');
    expect(interaction.id).toBe(first.id);
    expect(interaction.user.id).toBe(ALICE.id);
    expect(interaction.guildId).toBe(GUILD_ID);
    expect(interaction.channelId).toBe(GENERAL_ID);
    expect(interaction.locale).toBe('zh-CN');
    await interaction.reply({ content: 'Checked in!', flags: MessageFlags.Ephemeral });
    const callback = await first.waitForCallback();
    expect(callback.body).toMatchObject({ type: 4, data: { content: 'Checked in!', flags: 64 } });
    expect(callback.headers.authorization).toBeUndefined();

    // subcommand with user and integer options, deferred reply, edit, follow-up
    created = nextEvent(client, Events.InteractionCreate);
    const second = fake.interaction({
      guildId: GUILD_ID,
      user: BOB,
      name: 'points',
      subcommand: 'give',
      options: { member: { user: ALICE }, amount: 5, factor: 2 },
    });
    [interaction] = await created;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.options.getSubcommand()).toBe('give');
    expect(interaction.options.getUser('member', true).id).toBe(ALICE.id);
    expect(interaction.options.getMember('member')).not.toBeNull();
    expect(interaction.options.getInteger('amount', true)).toBe(5);
    expect(interaction.options.getNumber('factor', true)).toBe(2); // typed from the registered definition
    expect(interaction.memberPermissions?.has('ManageGuild')).toBe(true); // Bob is a mod

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const deferred = await second.waitForCallback();
    expect(deferred.body).toEqual({ type: 5, data: { flags: 64 } });
    const edited = await interaction.editReply('Gave 5 points to Alice');
    expect(edited.content).toBe('Gave 5 points to Alice');
    const patch = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path === `/webhooks/${fake.applicationId}/${second.token}/messages/@original`);
    expect(patch.rawPath).toContain('%40original');
    expect(patch.body).toMatchObject({ content: 'Gave 5 points to Alice' });
    const follow = await interaction.followUp({ content: 'One more thing' });
    expect(follow.content).toBe('One more thing');
    const post = await fake.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${fake.applicationId}/${second.token}`);
    expect(post.query.wait).toBe('true');
  });

  it('delivers a button press on a message the bot sent, and update() answers with callback type 7', async () => {
    const client = await connect();
    const channel = textChannel(client, GENERAL_ID);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('lottery:join:42').setLabel('Join').setStyle(ButtonStyle.Primary),
    );
    const sent = await channel.send({ content: 'Lottery open', components: [row] });

    let created = nextEvent(client, Events.InteractionCreate);
    const press = fake.interaction({ guildId: GUILD_ID, channelId: GENERAL_ID, user: ALICE, customId: 'lottery:join:42', messageId: sent.id });
    let [interaction] = await created;
    if (!interaction.isButton()) throw new Error('expected a button interaction');
    expect(interaction.customId).toBe('lottery:join:42');
    expect(interaction.message.id).toBe(sent.id);
    expect(interaction.user.id).toBe(ALICE.id);
    await interaction.update({ content: 'Lottery open (1 entrant)' });
    const callback = await press.waitForCallback();
    expect(callback.body).toMatchObject({ type: 7, data: { content: 'Lottery open (1 entrant)' } });
    expect(fake.getMessage(sent.id)?.content).toBe('Lottery open (1 entrant)');

    // A button on a synthetic message, acknowledged with deferUpdate.
    created = nextEvent(client, Events.InteractionCreate);
    const synthetic = fake.interaction({ guildId: GUILD_ID, user: BOB, customId: 'quiz:answer:B' });
    [interaction] = await created;
    if (!interaction.isButton()) throw new Error('expected a button interaction');
    expect(interaction.customId).toBe('quiz:answer:B');
    await interaction.deferUpdate();
    expect((await synthetic.waitForCallback()).body).toEqual({ type: 6 });
  });

  it('sends a channel message through a 429: the client waits Retry-After and retries', async () => {
    const client = await connect();
    const rateLimited = new Promise<RateLimitData>((resolve) => client.rest.once(RESTEvents.RateLimited, resolve));
    fake.rateLimitNext(matchRoute('POST', '/channels/:id/messages'), { retryAfterSeconds: 0.3 });
    const from = fake.requests.length;
    const started = Date.now();
    const message = await textChannel(client, GENERAL_ID).send({ content: 'Good morning!' });
    expect(message.content).toBe('Good morning!');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const attempts = fake.requests.filter((r) => r.index >= from && r.method === 'POST' && r.path === `/channels/${GENERAL_ID}/messages`);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[0]?.response).toEqual({ message: 'You are being rate limited.', retry_after: 0.3, global: false });
    const info = await rateLimited;
    expect(info.route).toBe('/channels/:id/messages');
    expect(info.scope).toBe('user');
    expect(fake.messagesIn(GENERAL_ID).map((m) => m.content)).toEqual(['Good morning!']);
  });

  it('emits guildMemberAdd/Remove and messageCreate; without MessageContent guild content is blanked unless the bot is mentioned', async () => {
    const client = await connect();

    const joined = nextEvent(client, Events.GuildMemberAdd);
    expect(fake.memberJoin({ guildId: GUILD_ID, user: CAROL }).delivered).toBe(true);
    const [member] = await joined;
    expect(member.id).toBe(CAROL.id);
    expect(member.guild.id).toBe(GUILD_ID);

    let created = nextEvent(client, Events.MessageCreate, (m) => !m.author.bot);
    const plain = fake.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: 'hello everyone' });
    let [message] = await created;
    expect(message.id).toBe(plain.id);
    expect(message.author.id).toBe(ALICE.id);
    expect(message.guildId).toBe(GUILD_ID);
    expect(message.member?.id).toBe(ALICE.id);
    expect(message.content).toBe(''); // no MessageContent intent

    created = nextEvent(client, Events.MessageCreate, (m) => !m.author.bot);
    fake.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: `<@${fake.botUserId}> 签到` });
    [message] = await created;
    expect(message.content).toBe(`<@${fake.botUserId}> 签到`);
    expect(message.mentions.users.has(fake.botUserId)).toBe(true);

    created = nextEvent(client, Events.MessageCreate, (m) => !m.author.bot);
    fake.sendMessage({ author: ALICE, content: 'a DM to the bot' });
    [message] = await created;
    expect(message.channel.isDMBased()).toBe(true);
    expect(message.content).toBe('a DM to the bot');

    // The bot's own messages come back as MESSAGE_CREATE, as on Discord.
    const echoed = nextEvent(client, Events.MessageCreate, (m) => m.author.id === fake.botUserId);
    const sent = await textChannel(client, ANNOUNCE_ID).send('announcement');
    expect((await echoed)[0].id).toBe(sent.id);

    const left = nextEvent(client, Events.GuildMemberRemove);
    fake.memberLeave({ guildId: GUILD_ID, user: CAROL });
    expect((await left)[0].id).toBe(CAROL.id);
  });

  it('delivers message content with the MessageContent intent, and drops events the client did not ask for', async () => {
    const client = await connect([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]);
    const created = nextEvent(client, Events.MessageCreate);
    fake.sendMessage({ guildId: GUILD_ID, author: ALICE, content: '/checkin' });
    expect((await created)[0].content).toBe('/checkin');
    expect(fake.memberJoin({ guildId: GUILD_ID, user: CAROL }).delivered).toBe(false); // no GuildMembers intent
    expect(fake.sendMessage({ author: ALICE, content: 'dm' }).delivered).toBe(false); // no DirectMessages intent
  });

  it('resumes after the fake drops the connection, replaying dispatches missed while down', async () => {
    const client = await connect();
    const identifies = fake.identifies.length;
    const sessionId = fake.sessionId;
    const resumed = nextEvent(client, Events.ShardResume, () => true, 8000);
    const fromFrame = fake.gatewayFrames.length;

    fake.dropConnection(); // 4000
    const missed = fake.sendMessage({ guildId: GUILD_ID, author: ALICE, content: `<@${fake.botUserId}> sent while down` });
    const replayed = nextEvent(client, Events.MessageCreate, (m) => m.id === missed.id, 8000);

    const resume = await fake.waitForGatewayOp(6, 8000, fromFrame);
    expect(resume.d).toMatchObject({ token: 'fake-token', session_id: sessionId });
    expect((resume.d as { seq: number }).seq).toBeLessThan(missed.s as number);
    await resumed;
    await replayed;
    expect(fake.identifies.length).toBe(identifies); // resumed, not re-identified
    expect(fake.sessionId).toBe(sessionId);

    const after = nextEvent(client, Events.MessageCreate, (m) => !m.author.bot);
    const later = fake.sendMessage({ guildId: GUILD_ID, author: BOB, content: 'after resume' });
    expect(later.s).toBeGreaterThan(missed.s as number);
    expect((await after)[0].id).toBe(later.id);

    // A fresh dispatch builder still works after resume, e.g. interactions.
    const created = nextEvent(client, Events.InteractionCreate);
    fake.interaction({ guildId: GUILD_ID, user: ALICE, name: 'checkin' });
    expect((await created)[0].isChatInputCommand()).toBe(true);
  });

  it('opens DMs, fetches members, adds roles and answers Discord errors for blocked DMs and unknown members', async () => {
    const client = await connect();
    const alice = await client.users.fetch(ALICE.id);
    const dm = await alice.send('Welcome to the server!');
    expect(dm.channel.isDMBased()).toBe(true);
    const open = await fake.waitForRequest(matchRoute('POST', '/users/@me/channels'));
    expect(open.body).toEqual({ recipient_id: ALICE.id });
    expect(fake.messagesIn(fake.dmChannelIdFor(ALICE.id) ?? '').map((m) => m.content)).toEqual(['Welcome to the server!']);

    fake.blockDirectMessages(BOB.id);
    const bob = await client.users.fetch(BOB.id);
    const blocked = await bob.send('hi').catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(DiscordAPIError);
    expect(blocked).toMatchObject({ code: 50007, status: 403 });

    const guild = client.guilds.cache.get(GUILD_ID);
    if (!guild) throw new Error('guild missing');
    const member = await guild.members.fetch({ user: ALICE.id, force: true });
    expect(member.user.username).toBe('alice');
    await expect(guild.members.fetch({ user: CAROL.id, force: true })).rejects.toMatchObject({ code: 10007 });

    const all = await guild.members.fetch(); // gateway op 8 → GUILD_MEMBERS_CHUNK
    expect(all.has(BOB.id)).toBe(true);

    const updated = nextEvent(client, Events.GuildMemberUpdate, (_old, next) => next.roles.cache.has(MEMBER_ROLE_ID));
    await member.roles.add(MEMBER_ROLE_ID);
    await updated;
    expect(fake.member(GUILD_ID, ALICE.id)?.roles).toEqual([MEMBER_ROLE_ID]);
  });

  it('rejects login when IDENTIFY asks for a privileged intent that is not enabled (close 4014)', async () => {
    await fake.close();
    fake = await startFake({ privilegedIntents: 0 });
    const client = newClient();
    const disconnected = nextEvent(client, Events.ShardDisconnect, () => true, 8000);
    const login = client.login('fake-token');
    await expect(login).rejects.toThrow(/disallowed intents/i);
    const [event] = await disconnected;
    expect(event.code).toBe(4014);
  });
});

describe('fake Discord REST edge cases', () => {
  it('answers unknown routes with a Discord-style 404, and interaction callbacks with 10062 and 40060', async () => {
    const client = await connect();
    const unknown = await fetch(`${fake.apiUrl}/v10/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: '404: Not Found', code: 0 });

    const missing = await fetch(`${fake.apiUrl}/v10/interactions/${snowflake()}/nope/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'x' } }),
    });
    expect(await missing.json()).toMatchObject({ code: 10062 });

    const created = nextEvent(client, Events.InteractionCreate);
    const handle = fake.interaction({ guildId: GUILD_ID, user: ALICE, name: 'checkin' });
    const [interaction] = await created;
    if (!interaction.isRepliable()) throw new Error('expected a repliable interaction');
    await interaction.reply('ok');
    const again = await fetch(`${fake.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'twice' } }),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 40060 });
  });

  it('honours enforce_nonce: a repeated nonce returns the first message and posts nothing; deleted since → 10008; not enforced or past the window → a new post', async () => {
    await fake.close();
    fake = await startFake({ nonceWindowMs: 400 });
    const client = await connect();
    const channel = textChannel(client, GENERAL_ID);
    const first = await channel.send({ content: 'Daily quiz at 20:00', nonce: 'abc123c42', enforceNonce: true });
    const again = await channel.send({ content: 'Daily quiz at 20:00', nonce: 'abc123c42', enforceNonce: true });
    expect(again.id).toBe(first.id);
    expect(fake.messagesIn(GENERAL_ID).map((m) => m.id)).toEqual([first.id]);
    expect(fake.getMessage(first.id)?.nonce).toBe('abc123c42');
    // The nonce is the bot's, not the channel's: the same nonce elsewhere returns the same message too.
    const elsewhere = (await client.rest.post(`/channels/${ANNOUNCE_ID}/messages`, { body: { content: 'x', nonce: 'abc123c42', enforce_nonce: true } })) as { id: string };
    expect(elsewhere.id).toBe(first.id);
    expect(fake.messagesIn(ANNOUNCE_ID)).toEqual([]);

    // Without enforce_nonce the nonce is only echoed.
    const loose = await channel.send({ content: 'loose', nonce: 'abc123c42' });
    expect(loose.id).not.toBe(first.id);

    // Deleted since: Discord does not post it again.
    const doomed = await channel.send({ content: 'to be deleted', nonce: 'doomed', enforceNonce: true });
    await doomed.delete();
    const refused = await channel.send({ content: 'to be deleted', nonce: 'doomed', enforceNonce: true }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect(refused).toMatchObject({ status: 404, code: 10008 });

    // Past the window the nonce is forgotten.
    await new Promise((r) => setTimeout(r, 500));
    const later = await channel.send({ content: 'Daily quiz at 20:00', nonce: 'abc123c42', enforceNonce: true });
    expect(later.id).not.toBe(first.id);

    // Discord's limit: a string of up to 25 characters (or an integer).
    const tooLong = await client.rest.post(`/channels/${GENERAL_ID}/messages`, { body: { content: 'x', nonce: 'n'.repeat(26), enforce_nonce: true } }).catch((err: unknown) => err);
    expect(tooLong).toMatchObject({ status: 400, code: 50035 });
    const numeric = (await client.rest.post(`/channels/${GENERAL_ID}/messages`, { body: { content: 'n', nonce: 1234567890, enforce_nonce: true } })) as { id: string };
    const numericAgain = (await client.rest.post(`/channels/${GENERAL_ID}/messages`, { body: { content: 'n', nonce: 1234567890, enforce_nonce: true } })) as { id: string };
    expect(numericAgain.id).toBe(numeric.id);
  });

  it('replaces a shard\'s session on a second IDENTIFY by default; with parallelSessions both get every dispatch, and redeliver replays one to each', async () => {
    // Default: the second client's IDENTIFY for shard 0 closes the first client's session with 4009.
    const old = await connect();
    const closed = nextEvent(old, Events.ShardReconnecting, () => true, 8000);
    await connect();
    await closed;
    expect(fake.shards()).toHaveLength(1);
    await Promise.all(clients.splice(0).map((client) => client.destroy()));

    await fake.close();
    fake = await startFake({ parallelSessions: true });
    const a = await connect();
    const b = await connect();
    expect(fake.shards().map((s) => [s.shard, s.ready, s.connected])).toEqual([[0, true, true], [0, true, true]]);
    expect(new Set(fake.shards().map((s) => s.sessionId)).size).toBe(2);
    // Raw packets: discord.js itself emits messageCreate once per cached message id, whatever arrives.
    const seen = (client: Client): string[] => {
      const ids: string[] = [];
      client.on(Events.Raw, (packet: { t: string | null; d: { id?: string } }) => {
        if (packet.t === 'INTERACTION_CREATE') ids.push(`i${packet.d.id}`);
        if (packet.t === 'MESSAGE_CREATE') ids.push(`m${packet.d.id}`);
      });
      return ids;
    };
    const seenA = seen(a);
    const seenB = seen(b);

    const message = fake.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: ALICE, content: `<@${fake.botUserId}> hi` });
    expect(message.delivered).toBe(true);
    const handle = fake.interaction({ guildId: GUILD_ID, user: ALICE, name: 'checkin' });
    expect(handle.delivered).toBe(true);
    // Two more copies of each, to both sessions.
    for (let i = 0; i < 2; i++) {
      expect(fake.redeliver('MESSAGE_CREATE', message.id)).toEqual({ sessions: 2, shard: 0 });
      expect(fake.redeliver('INTERACTION_CREATE', handle.id)).toEqual({ sessions: 2, shard: 0 });
    }
    const expected = [`m${message.id}`, `i${handle.id}`, `m${message.id}`, `i${handle.id}`, `m${message.id}`, `i${handle.id}`];
    await expect.poll(() => seenA).toEqual(expected);
    await expect.poll(() => seenB).toEqual(expected);
    expect(() => fake.redeliver('MESSAGE_CREATE', snowflake())).toThrow(/nothing of type MESSAGE_CREATE/);

    // One callback per interaction is accepted, wherever it comes from: the other copies get 40060.
    const callback = (content: string) =>
      fetch(`${fake.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 4, data: { content } }) });
    const answers = await Promise.all(['from a', 'from b', 'from a again'].map(callback));
    expect(answers.map((r) => r.status).sort()).toEqual([204, 400, 400]);
    expect(fake.interactionAnswer(handle.id)).toMatchObject({ acknowledged: true, followUps: [] });
    expect(String(fake.interactionAnswer(handle.id)?.original?.content)).toMatch(/^from /);

    // One client leaves (1000): the other keeps the shard and still gets its dispatches.
    await a.destroy();
    await expect.poll(() => fake.shards().length).toBe(1);
    const later = fake.sendMessage({ guildId: GUILD_ID, channelId: GENERAL_ID, author: BOB, content: `<@${fake.botUserId}> still there?` });
    expect(later.delivered).toBe(true);
    await expect.poll(() => seenB.at(-1)).toBe(`m${later.id}`);
    expect(seenA.includes(`m${later.id}`)).toBe(false);
  });

  it('delivers DM interactions (no guild) with the user at the top level', async () => {
    const client = await connect();
    const created = nextEvent(client, Events.InteractionCreate);
    const handle = fake.interaction({ user: ALICE, name: 'checkin' });
    const [interaction] = await created;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.guildId).toBeNull();
    expect(interaction.user.id).toBe(ALICE.id);
    expect(interaction.channel?.isDMBased()).toBe(true);
    await interaction.reply('hi in DM');
    expect((await handle.waitForCallback()).body).toMatchObject({ type: 4, data: { content: 'hi in DM' } });
  });

  it('uploads files as multipart: payload_json is parsed and file parts are recorded', async () => {
    const client = await connect();
    const message = await textChannel(client, GENERAL_ID).send({
      content: 'weekly chart',
      files: [{ attachment: Buffer.from('not really a png'), name: 'chart.png' }],
    });
    expect(message.attachments.first()?.name).toBe('chart.png');
    const post = await fake.waitForRequest(matchRoute('POST', '/channels/:id/messages'));
    expect(post.body).toMatchObject({ content: 'weekly chart' });
    expect(post.files).toEqual([expect.objectContaining({ filename: 'chart.png', size: 16 })]);
  });

  it('acks heartbeats, and op 7 / close 4014 drive the client as Discord would', async () => {
    await fake.close();
    fake = await startFake({ heartbeatIntervalMs: 150 });
    const client = await connect();
    await fake.waitForGatewayOp(1, 3000);
    await expect.poll(() => client.ws.ping, { timeout: 3000 }).toBeGreaterThanOrEqual(0);

    const resumed = nextEvent(client, Events.ShardResume, () => true, 8000);
    const from = fake.gatewayFrames.length;
    fake.requestReconnect();
    await fake.waitForGatewayOp(6, 8000, from);
    await resumed;

    const disconnected = nextEvent(client, Events.ShardDisconnect, () => true, 8000);
    fake.closeWithCode(4014);
    expect((await disconnected)[0].code).toBe(4014);
  });

  it('refuses messages Discord would refuse: over 2000 characters, empty, unknown channel', async () => {
    const client = await connect();
    const channel = textChannel(client, GENERAL_ID);
    await expect(channel.send('x'.repeat(2001))).rejects.toMatchObject({ code: 50035 });
    const tooLong = fake.requests.find((r) => r.status === 400);
    expect(JSON.stringify(tooLong?.response)).toContain('BASE_TYPE_MAX_LENGTH');
    await expect(client.rest.post(`/channels/${GENERAL_ID}/messages`, { body: {} })).rejects.toMatchObject({ code: 50006 });
    await expect(client.rest.post(`/channels/${snowflake()}/messages`, { body: { content: 'hi' } })).rejects.toMatchObject({ code: 10003 });
  });
});

describe('fake Discord sharding', () => {
  // Two guilds Discord would put on different shards of 2: (guild_id >> 22) % 2.
  const G0 = snowflakeOnShard(0, 2);
  const G1 = snowflakeOnShard(1, 2);
  const G0_CHANNEL = snowflake();
  const G1_CHANNEL = snowflake();

  async function startSharded(extra: Partial<Parameters<typeof FakeDiscord.start>[0]> = {}): Promise<FakeDiscord> {
    await fake.close();
    return FakeDiscord.start({
      // Identify every shard at once; with Discord's max_concurrency 1 discord.js waits 5 s between shards.
      maxConcurrency: 16,
      guilds: [
        { id: G0, name: 'Even', ownerId: OWNER.id, channels: [{ id: G0_CHANNEL, name: 'general' }], members: [{ user: ALICE }] },
        { id: G1, name: 'Odd', ownerId: OWNER.id, channels: [{ id: G1_CHANNEL, name: 'general' }], members: [{ user: BOB }] },
      ],
      ...extra,
    });
  }

  /** A client running `shards` of `shardCount` (or 'auto'); resolves when ready, recording which shard delivered each dispatch. */
  async function connectShards(shards: number[] | 'auto', shardCount?: number): Promise<{ client: Client<true>; received: { t: string; shard: number; d: { guild_id?: string } }[] }> {
    const client = new Client({ intents: INTENTS, partials: [Partials.Channel], rest: { api: fake.apiUrl, retries: 0, timeout: 2000 }, shards, ...(shardCount ? { shardCount } : {}) });
    clients.push(client);
    const received: { t: string; shard: number; d: { guild_id?: string } }[] = [];
    client.on(Events.Raw, (packet: { t: string | null; d: { guild_id?: string } }, shard: number) => {
      if (packet.t) received.push({ t: packet.t, shard, d: packet.d });
    });
    const ready = nextEvent(client, Events.ClientReady, () => true, 10_000);
    await client.login('fake-token');
    const [readyClient] = await ready;
    return { client: readyClient, received };
  }

  it('places guilds on shards by (guild_id >> 22) % count', () => {
    expect(shardOf(G0, 2)).toBe(0);
    expect(shardOf(G1, 2)).toBe(1);
    expect(shardOf(G1, 1)).toBe(0);
    const id = snowflakeOnShard(3, 4);
    expect(Number((BigInt(id) >> 22n) % 4n)).toBe(3);
  });

  it("'auto' runs the recommended count from GET /gateway/bot; each shard identifies with [id, count] and gets only its guilds", async () => {
    fake = await startSharded({ recommendedShards: 2 });
    const { client, received } = await connectShards('auto');
    expect(client.ws.shards.size).toBe(2);
    expect(client.options.shardCount).toBe(2);
    expect(fake.identifies.map((i) => i.shard).sort()).toEqual([[0, 2], [1, 2]]);
    expect(fake.shards().map((s) => [s.shard, s.shardCount, s.ready])).toEqual([[0, 2, true], [1, 2, true]]);
    const guildCreates = received.filter((r) => r.t === 'GUILD_CREATE').map((r) => [r.d.guild_id ?? (r.d as { id: string }).id, r.shard]);
    expect(guildCreates.sort()).toEqual([[G0, 0], [G1, 1]].sort());
    expect(client.guilds.cache.get(G1)?.shardId).toBe(1);

    // Each guild's events arrive on its own shard; a DM on shard 0.
    const inG1 = nextEvent(client, Events.MessageCreate, (m) => m.guildId === G1);
    expect(fake.sendMessage({ guildId: G1, author: BOB, content: 'odd' })).toMatchObject({ delivered: true, shard: 1 });
    await inG1;
    const dm = nextEvent(client, Events.MessageCreate, (m) => m.guildId === null);
    expect(fake.sendMessage({ author: ALICE, content: 'a DM' })).toMatchObject({ delivered: true, shard: 0 });
    await dm;
    expect(received.filter((r) => r.t === 'MESSAGE_CREATE').map((r) => [r.d.guild_id ?? null, r.shard])).toEqual([[G1, 1], [null, 0]]);
  });

  it('two clients with one shard each of 2: each guild dispatch reaches only the client running its shard', async () => {
    fake = await startSharded();
    const even = await connectShards([0], 2);
    const odd = await connectShards([1], 2);
    expect(fake.identifies.map((i) => i.shard)).toEqual([[0, 2], [1, 2]]);
    expect([...even.client.guilds.cache.keys()]).toEqual([G0]);
    expect([...odd.client.guilds.cache.keys()]).toEqual([G1]);

    const command = nextEvent(odd.client, Events.InteractionCreate);
    const handle = fake.interaction({ guildId: G1, user: BOB, name: 'checkin' });
    expect(handle).toMatchObject({ delivered: true, shard: 1 });
    expect((await command)[0].id).toBe(handle.id);
    expect(fake.memberJoin({ guildId: G0, user: CAROL })).toMatchObject({ delivered: true, shard: 0 });
    const joined = await nextEvent(even.client, Events.GuildMemberAdd);
    expect(joined[0].guild.id).toBe(G0);
    const dm = fake.sendMessage({ author: BOB, content: 'a DM' });
    expect(dm.shard).toBe(0);
    await nextEvent(even.client, Events.MessageCreate, (m) => m.id === dm.id);
    const back = fake.memberLeave({ guildId: G1, user: BOB });
    expect(back.shard).toBe(1);
    await nextEvent(odd.client, Events.GuildMemberRemove);

    expect(even.received.filter((r) => r.t === 'INTERACTION_CREATE' || r.t === 'GUILD_MEMBER_REMOVE')).toEqual([]);
    expect(odd.received.filter((r) => ['GUILD_MEMBER_ADD', 'MESSAGE_CREATE'].includes(r.t))).toEqual([]);

    // Shard 1 gone: its guild's dispatches are not delivered anywhere.
    await odd.client.destroy();
    await expect.poll(() => fake.shards().map((s) => s.shard)).toEqual([0]);
    expect(fake.interaction({ guildId: G1, user: BOB, name: 'checkin' })).toMatchObject({ delivered: false, shard: null });
    expect(fake.sendMessage({ guildId: G1, author: BOB, content: 'nobody hears' })).toMatchObject({ delivered: false, shard: null });
  });

  it('closes an IDENTIFY for a shard outside 0 ≤ id < count with 4010', async () => {
    fake = await startSharded();
    const client = new Client({ intents: INTENTS, rest: { api: fake.apiUrl, retries: 0, timeout: 2000 }, shards: [2], shardCount: 2 });
    clients.push(client);
    const disconnected = nextEvent(client, Events.ShardDisconnect, () => true, 8000);
    await expect(client.login('fake-token')).rejects.toThrow(/invalid shard/i);
    expect((await disconnected)[0].code).toBe(4010);
    expect(fake.shards()).toEqual([]);
  });

  it('closes an IDENTIFY with fewer shards than the bot needs with 4011 (sharding required)', async () => {
    fake = await startSharded({ minShards: 2 });
    const client = newClient();
    const disconnected = nextEvent(client, Events.ShardDisconnect, () => true, 8000);
    await expect(client.login('fake-token')).rejects.toThrow(/sharding is required/i);
    expect((await disconnected)[0].code).toBe(4011);
    expect(fake.lastIdentify?.shard).toEqual([0, 1]);
  });

  it('resumes one shard without touching the other', async () => {
    fake = await startSharded({ recommendedShards: 2 });
    const { client } = await connectShards('auto');
    const before = { 0: fake.sessionIdOf(0), 1: fake.sessionIdOf(1) };
    const identifies = fake.identifies.length;
    const from = fake.gatewayFrames.length;
    const resumed = nextEvent(client, Events.ShardResume, () => true, 8000);
    fake.dropConnection(4000, 1);
    const missed = fake.sendMessage({ guildId: G1, author: BOB, content: `<@${fake.botUserId}> while down` });
    const replayed = nextEvent(client, Events.MessageCreate, (m) => m.id === missed.id, 8000);
    const resume = await fake.waitForGatewayOp(6, 8000, from);
    expect(resume.d).toMatchObject({ session_id: before[1] });
    expect((await resumed)[0]).toBe(1);
    await replayed;
    expect(fake.identifies.length).toBe(identifies);
    expect({ 0: fake.sessionIdOf(0), 1: fake.sessionIdOf(1) }).toEqual(before);
  });
});
