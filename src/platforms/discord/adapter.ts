/**
 * The Discord adapter (discord.js 14): gateway events → ChatEvents through the
 * router, replies rendered as messages, embeds and buttons; slash commands
 * generated from the registry and registered at ready; the outbox sender for
 * bot-initiated posts. It translates only: no business rules here.
 */
import {
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  HTTPError,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  RateLimitError,
  RESTJSONErrorCodes,
  Routes,
  Status,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Guild,
  type GuildMember,
  type Interaction,
  type Message,
  type PartialGuildMember,
} from 'discord.js';
import type { Logger } from 'pino';
import type { ChatEvent, CommunityRef } from '../../core/chat-event.js';
import type { CommunityInfo } from '../../core/context.js';
import type { I18n, Locale } from '../../core/i18n.js';
import type { Reply } from '../../core/reply.js';
import type { RouteResult } from '../../core/router.js';
import type { CommandSpec } from '../../core/commands/spec.js';
import type { Config } from '../../config/schema.js';
import { SendError, type AutomodExecution, type DeliveryRef, type NativePoll, type PostedPoll, type Sender } from '../../core/sender.js';
import { discordAutomod, executionOf } from './automod.js';
import type { Adapter } from '../adapter.js';
import { customIdSigner, type CustomIdSigner } from './custom-id.js';
import { actorOf, isAdmin, memberEventId, slashInvocation, stripBotMention } from './events.js';
import { DISCORD_POLL_LIMITS, pollBody, pollVoteOf } from './polls.js';
import { discordMessages } from './messages.js';
import { deliveryNonce, deploymentTag, pollNonce, type NonceKind } from './nonce.js';
import { renderReply, type DiscordMessage } from './render.js';
import { diffCommands, isUnchanged, slashCommands } from './slash-commands.js';

export interface DiscordAdapterOptions {
  token: string;
  /** REST base, e.g. https://discord.com/api (DISCORD_API_URL). */
  apiUrl: string;
  /** Register slash commands in these guilds; empty: globally. */
  guildIds: readonly string[];
  settings: Config['discord'];
  /** The community's language for texts the adapter answers itself. */
  localeFor(guildId: string | null): Locale;
  router: { handle(event: ChatEvent): Promise<RouteResult> };
  commands: readonly CommandSpec[];
  i18n: I18n;
  logger: Logger;
  /** discord.js REST tuning (tests: fewer retries, shorter timeouts). */
  rest?: { retries?: number; timeout?: number };
  /** Defer an interaction when handling takes longer than this (Discord's deadline is 3 s). Default 1500. */
  deferAfterMs?: number;
  /** This deployment's id: outbox posts carry a nonce made of its hash and the delivery id (./nonce.ts). */
  instanceId: string;
  /** Keep AutoMod rules in sync (the sender's `automod`) and hear AUTO_MODERATION_ACTION_EXECUTION (moderation.discordAutomod). */
  automod?: boolean;
  /** Where AutoMod's action events go (moderation counts a strike). */
  automodExecuted?: (execution: AutomodExecution) => Promise<void>;
}

type State = 'starting' | 'up' | 'down';

const PRIVILEGED_NAMES: Partial<Record<GatewayIntentBits, string>> = {
  [GatewayIntentBits.GuildMembers]: 'Server Members Intent',
  [GatewayIntentBits.MessageContent]: 'Message Content Intent',
};

export class DiscordAdapter implements Adapter {
  readonly name = 'discord';
  readonly sender: Sender;
  readonly client: Client;
  private readonly log: Logger;
  private readonly signer: CustomIdSigner;
  private readonly intents: GatewayIntentBits[];
  /** The deployment's part of every outbox nonce. */
  private readonly nonceTag: string;
  private state: State = 'starting';
  /** Each shard's gateway session id (READY), part of a poll vote's delivery id. */
  private readonly sessions = new Map<number, string>();
  private stopped = false;
  /** Resolves after each slash-command registration attempt at ready (tests wait on it). */
  commandsRegistered: Promise<void>;
  private markRegistered: () => void = () => undefined;

  constructor(private readonly options: DiscordAdapterOptions) {
    this.log = options.logger.child({ component: 'discord' });
    this.signer = customIdSigner(options.token);
    this.nonceTag = deploymentTag(options.instanceId);
    if (!options.i18n.has('discord.buttonInvalid')) options.i18n.add(discordMessages);
    this.intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.GuildMessagePolls];
    if (options.settings.textCommands) this.intents.push(GatewayIntentBits.MessageContent);
    if (options.automod) this.intents.push(GatewayIntentBits.AutoModerationExecution);
    const { shards, shardCount } = options.settings;
    this.client = new Client({
      intents: this.intents,
      partials: [Partials.Channel, Partials.GuildMember, Partials.User],
      rest: { api: options.apiUrl, ...options.rest },
      // Internal sharding: this process runs these shards of shardCount; 'auto' asks GET /gateway/bot for the count.
      shards,
      ...(shardCount !== null ? { shardCount } : {}),
    });
    // The sender works before (or without) the gateway: REST only needs the token.
    this.client.rest.setToken(options.token);
    this.commandsRegistered = new Promise((resolve) => (this.markRegistered = resolve));
    this.guardDispatches();
    this.attach();
    this.sender = {
      platform: 'discord',
      send: (community, reply, delivery) => this.send(community, reply, delivery),
      sendDirect: (_community, userId, reply, delivery) => this.sendDirect(userId, reply, delivery),
      rulesAccepted: (community, userId) => this.grantRulesRole(community.externalId, userId),
      deleteMessage: (_community, channelId, messageId, reason) => this.rest('delete', () => this.client.rest.delete(Routes.channelMessage(channelId, messageId), { reason })),
      timeout: (community, userId, until, reason) =>
        this.rest('timeout', () => this.client.rest.patch(Routes.guildMember(community.externalId, userId), { body: { communication_disabled_until: until.toISOString() }, reason })),
      kick: (community, userId, reason) => this.rest('kick', () => this.client.rest.delete(Routes.guildMember(community.externalId, userId), { reason })),
      grantRole: (community, userId, roleId, reason) => this.rest('grant role', () => this.client.rest.put(Routes.guildMemberRole(community.externalId, userId, roleId), { reason })),
      removeRole: (community, userId, roleId, reason) => this.rest('remove role', () => this.client.rest.delete(Routes.guildMemberRole(community.externalId, userId, roleId), { reason })),
      pollLimits: DISCORD_POLL_LIMITS,
      postPoll: (community, channelId, poll, ref) => this.postPoll(community, channelId, poll, ref),
      endPoll: (_community, channelId, messageId) => this.rest('end poll', () => this.client.rest.post(Routes.expirePoll(channelId, messageId))),
      ...(options.automod ? { automod: discordAutomod(this.client.rest, options.settings, (what, call) => this.restValue(what, call)) } : {}),
    };
  }

  health(): 'up' | 'down' | 'disabled' {
    return this.state === 'up' ? 'up' : 'down';
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.client.login(this.options.token);
    } catch (err) {
      this.state = 'down';
      const message = err instanceof Error ? err.message : String(err);
      if (/disallowed intents/i.test(message) || (err as { code?: unknown }).code === 'DisallowedIntents') {
        const wanted = this.intents.map((i) => PRIVILEGED_NAMES[i]).filter(Boolean);
        this.log.error(
          { intents: wanted },
          `Discord refused a privileged intent: enable ${wanted.join(' and ')} in the Discord Developer Portal (Bot → Privileged Gateway Intents); Discord is down, everything else keeps running`,
        );
      } else if (/sharding is required/i.test(message)) {
        // Close 4011: Discord wants one shard per 2,500 guilds; the configured count is too small.
        const { shards, shardCount } = this.options.settings;
        this.log.error(
          { shards, shardCount },
          'Discord requires more shards for this bot (close 4011): set DISCORD_SHARDS=auto, or raise DISCORD_SHARD_COUNT and split the shard ids across the gateway processes; Discord is down, everything else keeps running',
        );
      } else {
        this.log.error({ err }, 'Discord login failed; Discord is down, everything else keeps running');
      }
      await this.client.destroy().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'down';
    await this.client.destroy();
  }

  // ------------------------------------------------------------------ wiring

  private attach(): void {
    const client = this.client;
    const safe =
      <A extends unknown[]>(what: string, fn: (...args: A) => Promise<void>) =>
      (...args: A): void => {
        fn(...args).catch((err: unknown) => this.log.error({ err }, `${what} failed`));
      };
    // Attached before login: clientReady can fire before login() resolves.
    client.on(Events.ClientReady, safe('ready', async (ready) => {
      this.state = 'up';
      this.log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size, shards: [...ready.ws.shards.keys()], shardCount: ready.options.shardCount }, 'Discord connected');
      try {
        await this.registerCommands();
      } finally {
        this.markRegistered();
      }
    }));
    client.on(Events.ShardResume, () => this.setUp('resumed'));
    client.on(Events.ShardReady, () => this.setUp('ready'));
    client.on(Events.ShardReconnecting, () => {
      if (this.state === 'up') this.state = 'down';
    });
    client.on(Events.ShardDisconnect, (event) => {
      this.state = 'down';
      if (!this.stopped) this.log.error({ code: event.code }, 'Discord gateway closed and will not reconnect');
    });
    client.on(Events.Error, (err) => this.log.error({ err }, 'Discord client error'));
    client.on(Events.Warn, (message) => this.log.warn({ message }, 'Discord client warning'));
    client.on(Events.InteractionCreate, safe('interaction', (interaction) => this.onInteraction(interaction)));
    client.on(Events.MessageCreate, safe('message', (message) => this.onMessage(message)));
    client.on(Events.GuildMemberAdd, safe('member join', (member) => this.onMember('memberJoined', member)));
    client.on(Events.GuildMemberRemove, safe('member leave', (member) => this.onMember('memberLeft', member)));
    // Native poll votes, from the raw dispatch: discord.js emits them only for cached messages (or with the
    // Message, Poll and PollAnswer partials), and the raw packet carries the sequence number the delivery id uses.
    client.on(Events.Raw, (packet: unknown, shardId: number) => {
      const p = packet as { t?: unknown; s?: unknown; d?: { session_id?: unknown } } | null;
      if (p?.t === GatewayDispatchEvents.Ready && typeof p.d?.session_id === 'string') this.sessions.set(shardId, p.d.session_id);
      if (p?.t === GatewayDispatchEvents.MessagePollVoteAdd || p?.t === GatewayDispatchEvents.MessagePollVoteRemove) {
        safe('poll vote', () => this.onPollVote(p, shardId))();
      }
    });
    client.on(
      Events.AutoModerationActionExecution,
      safe('AutoMod action', async (execution) => {
        if (this.options.automod) await this.options.automodExecuted?.(executionOf(execution, this.options.settings));
      }),
    );
  }

  private setUp(why: string): void {
    // Up again only when every shard this process runs is: one shard back while another reconnects is not up.
    if (this.stopped || !this.client.isReady() || this.client.ws.shards.some((shard) => shard.status !== Status.Ready)) return;
    if (this.state !== 'up') this.log.info({ why }, 'Discord gateway is back');
    this.state = 'up';
  }

  /**
   * A dispatch discord.js cannot parse (missing fields) throws inside its
   * packet handler, which runs in an un-awaited promise: an unhandled
   * rejection would end the process. Log it and drop that one event instead.
   */
  private guardDispatches(): void {
    const ws = this.client.ws as unknown as { handlePacket?: (packet: unknown, shard: unknown) => boolean };
    const original = ws.handlePacket?.bind(ws);
    if (!original) return;
    ws.handlePacket = (packet, shard) => {
      try {
        return original(packet, shard);
      } catch (err) {
        const p = packet as { t?: unknown; s?: unknown } | undefined;
        this.log.error({ err, event: p?.t, seq: p?.s }, 'malformed Discord dispatch ignored');
        return true;
      }
    };
  }

  // ----------------------------------------------------------- slash commands

  private async registerCommands(): Promise<void> {
    const appId = this.client.application?.id;
    if (!appId) throw new Error('no application id at ready');
    const wanted = slashCommands(this.options.commands, this.options.i18n);
    const targets: (string | null)[] = this.options.guildIds.length > 0 ? [...this.options.guildIds] : [null];
    for (const guildId of targets) {
      const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
      try {
        const current = (await this.client.rest.get(route)) as unknown[];
        const diff = diffCommands(current, wanted);
        if (isUnchanged(diff)) {
          this.log.info({ guildId: guildId ?? 'global', count: wanted.length }, 'slash commands up to date');
          continue;
        }
        await this.client.rest.put(route, { body: wanted });
        this.log.info({ guildId: guildId ?? 'global', ...diff }, 'slash commands registered');
      } catch (err) {
        this.log.error({ err, guildId: guildId ?? 'global' }, 'slash command registration failed');
      }
    }
  }

  // ------------------------------------------------------------- interactions

  private async onInteraction(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand() && !interaction.isButton()) return;
    const log = this.log.child({ interactionId: interaction.id });
    try {
      const base = this.interactionBase(interaction);
      let event: ChatEvent;
      if (interaction.isButton()) {
        const command = this.signer.verify(interaction.customId);
        if (command === undefined) {
          log.warn({ customId: interaction.customId.slice(0, 100), userId: interaction.user.id }, 'refused a button with an invalid custom_id');
          // Not deduplicated by the router: another copy of this dispatch may have answered it already.
          await this.acknowledge(interaction, log, () => interaction.reply({ content: this.options.i18n.t(this.options.localeFor(interaction.guildId), 'discord.buttonInvalid'), flags: MessageFlags.Ephemeral }));
          return;
        }
        event = { ...base, type: 'action', command };
      } else {
        event = { ...base, type: 'command', ...slashInvocation(interaction) };
      }
      await this.answerInteraction(interaction, event, log);
    } catch (err) {
      log.error({ err }, 'interaction failed');
      await this.apologize(interaction, log).catch((e: unknown) => log.warn({ err: e }, 'could not send the apology'));
    }
  }

  private interactionBase(interaction: ChatInputCommandInteraction | ButtonInteraction): Omit<ChatEvent & { type: 'action' }, 'type' | 'command'> {
    const member = interaction.member;
    const admin = isAdmin(interaction.memberPermissions, member as GuildMember | { roles: string[] } | null, this.options.settings);
    const guildMember = member && 'displayName' in member ? (member as GuildMember) : (member as { nick?: string | null } | null);
    return {
      deliveryId: interaction.id,
      community: interaction.guildId ? this.communityRef(interaction.guildId, interaction.guild) : this.dmCommunity(interaction.user.id),
      actor: actorOf(interaction.user, guildMember, interaction.guildId ? admin : this.dmAdmin(interaction.user.id)),
      channelId: interaction.channelId,
    };
  }

  private async answerInteraction(interaction: ChatInputCommandInteraction | ButtonInteraction, event: ChatEvent, log: Logger): Promise<void> {
    const handling = this.options.router.handle(event);
    // Awaited below; this keeps a rejection that lands while we defer from counting as unhandled.
    handling.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), this.options.deferAfterMs ?? 1500);
    });
    let deferred = false;
    try {
      const first = await Promise.race([handling, slow]);
      if (first === 'slow') {
        log.info('handling is slow: deferring the reply');
        await this.acknowledge(interaction, log, () => interaction.deferReply());
        deferred = true;
      }
    } finally {
      clearTimeout(timer);
    }
    const result = await handling;
    if (result.duplicate) {
      // A replayed dispatch: the copy that did the work answers (and takes over this copy's deferral, if any).
      log.info('duplicate interaction ignored');
      return;
    }
    const [first, ...rest] = result.replies.map((r) => this.render(r, log));
    if (!first) {
      if (deferred) await interaction.deleteReply();
      else if (interaction.isButton()) {
        if ((await this.acknowledge(interaction, log, () => interaction.deferUpdate())) === 'elsewhere') await interaction.deleteReply();
      } else {
        await this.acknowledge(interaction, log, () => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
        await interaction.deleteReply();
      }
      return;
    }
    const replied = !deferred && (await this.acknowledge(interaction, log, () => interaction.reply(interactionPayload(first)))) === 'here';
    if (!replied) {
      // Deferred, by this copy or by another one: the deferral becomes the answer.
      if (first.ephemeral) {
        // A public deferral cannot turn ephemeral: replace it with an ephemeral follow-up.
        await interaction.deleteReply();
        await interaction.followUp(interactionPayload(first));
      } else {
        await interaction.editReply(messagePayload(first));
      }
    }
    for (const message of rest) await interaction.followUp(interactionPayload(message));
  }

  private async apologize(interaction: ChatInputCommandInteraction | ButtonInteraction, log: Logger): Promise<void> {
    const content = this.options.i18n.t(this.options.localeFor(interaction.guildId), 'core.internalError');
    if (interaction.replied || interaction.deferred) await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
    else if ((await this.acknowledge(interaction, log, () => interaction.reply({ content, flags: MessageFlags.Ephemeral }))) === 'elsewhere') {
      await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
    }
  }

  /**
   * The initial response to an interaction (a reply or a deferral). Discord accepts one per
   * interaction; another copy of the same dispatch (a gateway replay, or a second process on
   * the shard during a deploy) may have sent it first, and then this one is refused with
   * 40060 "Interaction has already been acknowledged". That copy can only have deferred (only
   * the copy whose delivery the router claimed answers with content), so this copy carries on
   * as if it had deferred: the token is the same, and editReply / followUp work from any copy.
   */
  private async acknowledge(interaction: ChatInputCommandInteraction | ButtonInteraction, log: Logger, respond: () => Promise<unknown>): Promise<'here' | 'elsewhere'> {
    try {
      await respond();
      return 'here';
    } catch (err) {
      if (!(err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged)) throw err;
      log.info('interaction already acknowledged by another copy of its dispatch');
      // discord.js allows editReply, deleteReply and followUp only on an interaction it saw acknowledged.
      interaction.deferred = true;
      return 'elsewhere';
    }
  }

  // ------------------------------------------------------ messages and members

  private async onMessage(message: Message): Promise<void> {
    if (message.author.bot || message.webhookId || message.system) return;
    const botId = this.client.user?.id;
    if (!botId) return;
    const dm = !message.inGuild();
    const mentioned = message.mentions.users.has(botId);
    const addressed = dm || mentioned;
    const text = addressed ? stripBotMention(message.content, botId) : message.content;
    const guildId = message.guildId;
    const member = message.member;
    const event: ChatEvent = {
      type: 'message',
      deliveryId: message.id,
      community: guildId ? this.communityRef(guildId, message.guild) : this.dmCommunity(message.author.id),
      actor: {
        ...actorOf(message.author, member, guildId ? isAdmin(member?.permissions, member, this.options.settings) : this.dmAdmin(message.author.id)),
        ...(member?.joinedTimestamp ? { joinedAt: member.joinedTimestamp } : {}),
      },
      channelId: message.channelId,
      messageId: message.id,
      text,
      addressed,
    };
    const log = this.log.child({ messageId: message.id });
    const result = await this.options.router.handle(event);
    if (result.duplicate) return;
    for (const reply of result.replies) {
      // Ephemeral does not exist for channel messages; the reply goes to the channel.
      await message.reply(messagePayload(this.render(reply, log)));
    }
  }

  private async onMember(type: 'memberJoined' | 'memberLeft', member: GuildMember | PartialGuildMember): Promise<void> {
    if (member.user?.bot) return;
    const user = member.user;
    const event: ChatEvent = {
      type,
      deliveryId: memberEventId(type === 'memberJoined' ? 'join' : 'leave', member, Date.now()),
      community: this.communityRef(member.guild.id, member.guild),
      actor: { platformUserId: member.id, displayName: member.nickname || user?.globalName || user?.username || member.id, isAdmin: false },
    };
    const result = await this.options.router.handle(event);
    if (result.duplicate || result.replies.length === 0) return;
    const channelId = await this.targetChannel(member.guild.id);
    for (const reply of result.replies) await this.post(channelId, this.render(reply, this.log));
  }

  /**
   * A native poll vote (MESSAGE_POLL_VOTE_ADD / _REMOVE) becomes a `pollVote` event. Its delivery id
   * names the vote and the dispatch (session and sequence number): a dispatch replayed on a resume is
   * the same delivery and counts once, while a member who takes an answer back and chooses it again
   * sends new ones. A copy from another session (two processes on one shard during a deploy) is another
   * delivery, and the poll feature's set operations make it change nothing.
   */
  private async onPollVote(packet: { t?: unknown; s?: unknown; d?: unknown }, shardId: number): Promise<void> {
    const vote = pollVoteOf(packet, this.sessions.get(shardId) ?? `shard${shardId}`);
    if (!vote) return;
    const guild = this.client.guilds.cache.get(vote.guildId);
    const member = guild?.members.cache.get(vote.userId);
    const user = member?.user ?? this.client.users.cache.get(vote.userId);
    if (user?.bot) return;
    const event: ChatEvent = {
      type: 'pollVote',
      deliveryId: vote.deliveryId,
      community: this.communityRef(vote.guildId, guild),
      // An empty name keeps the one the bot knows (or the id, for a member it has never seen).
      actor: { platformUserId: vote.userId, displayName: member?.displayName ?? user?.globalName ?? user?.username ?? '', isAdmin: false },
      channelId: vote.channelId,
      messageId: vote.messageId,
      answerId: vote.answerId,
      added: vote.added,
    };
    const result = await this.options.router.handle(event);
    // Nothing to answer in the channel: the poll shows the vote (a private notice goes through the outbox).
    if (result.replies.length > 0) this.log.debug({ deliveryId: vote.deliveryId, replies: result.replies.length }, 'poll vote replies not shown');
  }

  // ------------------------------------------------------------------ sending

  /** A native poll, in `channelId` or the community's post channel; the nonce makes a repeated post return the first message. */
  private async postPoll(community: CommunityInfo, channelId: string | undefined, poll: NativePoll, ref: string): Promise<PostedPoll> {
    try {
      const channel = channelId ?? (await this.targetChannel(community.externalId));
      const body = { ...pollBody(poll), nonce: pollNonce(this.nonceTag, ref), enforce_nonce: true };
      const message = (await this.client.rest.post(Routes.channelMessages(channel), { body })) as { id: string; channel_id: string; poll?: { answers?: { answer_id: number }[] } };
      return { channelId: message.channel_id, messageId: message.id, answerIds: (message.poll?.answers ?? []).map((a) => a.answer_id) };
    } catch (err) {
      const failure = toSendError(err);
      this.log.warn({ ref, err: failure.message }, 'could not post a native poll');
      throw failure;
    }
  }

  private async send(community: CommunityInfo, reply: Reply, delivery?: DeliveryRef): Promise<void> {
    try {
      // An admin channel (the weekly report) instead of the community's channel.
      const channelId = reply.channel ?? (await this.targetChannel(community.externalId));
      await this.post(channelId, this.render(reply, this.log), delivery && this.nonceFor('channel', delivery));
    } catch (err) {
      throw toSendError(err);
    }
  }

  /**
   * A moderation call (delete a message, time out, kick) with its audit-log
   * reason; a refusal (50013 Missing Permissions: the bot lacks Manage
   * Messages, Moderate Members or Kick Members, or the member is above it)
   * becomes a SendError that moderation logs as not done.
   */
  private async rest(what: string, call: () => Promise<unknown>): Promise<void> {
    await this.restValue(what, call);
  }

  private async restValue(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (err) {
      const failure = toSendError(err);
      this.log.warn({ action: what, err: failure.message }, 'a moderation or role action failed');
      throw failure;
    }
  }

  /** The role for members who accepted the rules, when one is configured for the guild. */
  private async grantRulesRole(guildId: string, userId: string): Promise<void> {
    const roleId = this.options.settings.rulesRoles[guildId];
    if (!roleId) return;
    try {
      await this.client.rest.put(Routes.guildMemberRole(guildId, userId, roleId), { reason: 'accepted the community rules' });
    } catch (err) {
      this.log.warn({ guildId, userId, roleId, err: err instanceof Error ? err.message : String(err) }, 'could not grant the rules role (the bot needs Manage Roles and a role above it)');
    }
  }

  /** A DM: open (or reuse) the DM channel, then post. A member with DMs closed gives 50007, a permanent error. */
  private async sendDirect(userId: string, reply: Reply, delivery?: DeliveryRef): Promise<void> {
    try {
      const channel = (await this.client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
      await this.post(channel.id, this.render(reply, this.log), delivery && this.nonceFor('direct', delivery));
    } catch (err) {
      throw toSendError(err);
    }
  }

  /** An outbox delivery's nonce: a resend of it (after a crash, or a timeout after Discord posted) returns the first message instead of posting again. */
  private nonceFor(kind: NonceKind, delivery: DeliveryRef): string {
    return deliveryNonce(this.nonceTag, kind, delivery.id);
  }

  /**
   * Create Message; with a nonce, Discord dedupes a resend of it (./nonce.ts). A resend
   * whose first message was deleted since is answered 10008 Unknown Message: it was
   * delivered, and is not posted again.
   */
  private async post(channelId: string, message: DiscordMessage, nonce?: string): Promise<void> {
    const body = { ...apiBody(message), ...(nonce !== undefined ? { nonce, enforce_nonce: true } : {}) };
    try {
      const files = message.files?.map((f) => ({ name: f.name, data: f.data, contentType: f.contentType }));
      await this.client.rest.post(Routes.channelMessages(channelId), { body, ...(files ? { files } : {}) });
    } catch (err) {
      if (nonce !== undefined && err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.UnknownMessage) {
        this.log.info({ channelId, nonce }, 'a resent post had been delivered and deleted since: not posted again');
        return;
      }
      throw err;
    }
  }

  /** Configured channel, else the system channel, else the first text channel the bot can post in. */
  async targetChannel(guildId: string): Promise<string> {
    const configured = this.options.settings.channels[guildId];
    if (configured) return configured;
    const guild = this.client.guilds.cache.get(guildId);
    if (guild?.available) {
      const me = guild.members.me;
      const canPost = (channelId: string | null): boolean => {
        const channel = channelId ? guild.channels.cache.get(channelId) : undefined;
        if (!channel || channel.type !== ChannelType.GuildText) return false;
        const perms = me ? channel.permissionsFor(me) : null;
        return !me || (perms?.has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages, PermissionFlagsBits.EmbedLinks]) ?? false);
      };
      if (canPost(guild.systemChannelId)) return guild.systemChannelId as string;
      const first = [...guild.channels.cache.values()]
        .filter((c) => c.type === ChannelType.GuildText)
        .sort((a, b) => ('position' in a && 'position' in b ? a.position - b.position : 0) || a.id.localeCompare(b.id))
        .find((c) => canPost(c.id));
      if (first) return first.id;
      throw new SendError(`no text channel in guild ${guildId} where the bot may post`, false);
    }
    // Not cached (worker role, or not connected yet): ask REST.
    const raw = (await this.client.rest.get(Routes.guild(guildId))) as { system_channel_id?: string | null };
    if (raw.system_channel_id) return raw.system_channel_id;
    const channels = (await this.client.rest.get(Routes.guildChannels(guildId))) as { id: string; type: number; position?: number }[];
    const text = channels.filter((c) => c.type === ChannelType.GuildText).sort((a, b) => (a.position ?? 0) - (b.position ?? 0))[0];
    if (!text) throw new SendError(`no text channel in guild ${guildId}`, false);
    return text.id;
  }

  // ------------------------------------------------------------------ helpers

  private render(reply: Reply, log: Logger): DiscordMessage {
    const message = renderReply(reply, this.signer);
    if (message.droppedActions > 0) log.warn({ dropped: message.droppedActions }, 'some actions could not become buttons');
    return message;
  }

  private communityRef(guildId: string, guild: Guild | null | undefined): CommunityRef {
    return { platform: 'discord', externalId: guildId, ...(guild?.name ? { name: guild.name } : {}) };
  }

  /** A DM belongs to the bot's only guild when there is one, else to a per-user DM community. */
  private dmCommunity(userId: string): CommunityRef {
    const only = this.soleGuild();
    return only ? this.communityRef(only.id, only) : { platform: 'discord', externalId: `dm-${userId}` };
  }

  private dmAdmin(userId: string): boolean {
    const member = this.soleGuild()?.members.cache.get(userId);
    return member ? isAdmin(member.permissions, member, this.options.settings) : false;
  }

  /** With several shards this process sees only its own guilds: one cached guild does not make it the bot's only one. */
  private soleGuild(): Guild | undefined {
    if ((this.client.options.shardCount ?? 1) > 1) return undefined;
    return this.client.guilds.cache.size === 1 ? this.client.guilds.cache.first() : undefined;
  }
}

function interactionPayload(message: DiscordMessage) {
  return { ...messagePayload(message), ...(message.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {}) };
}

function messagePayload(message: DiscordMessage) {
  return {
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    allowedMentions: message.allowedMentions,
    ...(message.files ? { files: message.files.map((f) => ({ attachment: f.data, name: f.name, description: f.description })) } : {}),
  };
}

function apiBody(message: DiscordMessage): Record<string, unknown> {
  return {
    ...(message.content !== undefined ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowed_mentions: { parse: message.allowedMentions.parse },
    ...(message.files ? { attachments: message.files.map((f, id) => ({ id, filename: f.name, description: f.description })) } : {}),
  };
}

/** 5xx, timeouts and network errors are worth a retry; other 4xx are not. 429s are retried inside discord.js. */
export function toSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  if (err instanceof RateLimitError) return new SendError(`discord rate limited on ${err.route}`, true, err.retryAfter);
  if (err instanceof DiscordAPIError || err instanceof HTTPError) {
    const code = err instanceof DiscordAPIError ? ` (code ${String(err.code)})` : '';
    const transient = err.status >= 500 || err.status === 408 || err.status === 429;
    return new SendError(`discord ${err.status}${code}: ${err.message}`, transient);
  }
  return new SendError(`discord unreachable: ${err instanceof Error ? err.message : String(err)}`, true);
}
