/**
 * The Discord platform: built from the secrets when DISCORD_TOKEN is set.
 */
import type { AdapterDeps } from '../adapter.js';
import { DiscordAdapter } from './adapter.js';

export { DiscordAdapter, toSendError, type DiscordAdapterOptions } from './adapter.js';
export { customIdSigner } from './custom-id.js';
export { renderReply } from './render.js';
export { slashCommands } from './slash-commands.js';

export function discordAdapter(deps: AdapterDeps, overrides: Partial<Pick<ConstructorParameters<typeof DiscordAdapter>[0], 'rest' | 'deferAfterMs'>> = {}): DiscordAdapter {
  const { config, secrets } = deps;
  if (!secrets.discordToken) throw new Error('DISCORD_TOKEN is not set');
  return new DiscordAdapter({
    token: secrets.discordToken,
    apiUrl: secrets.discordApiUrl,
    guildIds: secrets.discordGuildIds,
    settings: config.discord,
    localeFor: (guildId) => (guildId ? config.community.overrides[`discord:${guildId}`]?.locale : undefined) ?? config.community.locale.discord,
    router: deps.router,
    commands: deps.commands,
    i18n: deps.i18n,
    logger: deps.logger,
    instanceId: deps.instanceId,
    automod: config.moderation.enabled && config.moderation.discordAutomod,
    ...(deps.automodExecuted ? { automodExecuted: deps.automodExecuted } : {}),
    ...overrides,
  });
}
