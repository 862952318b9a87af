/**
 * The Discord platform: built from the secrets when DISCORD_TOKEN is set.
 */
import type { App } from '../../app.js';
import { DiscordAdapter } from './adapter.js';

export { DiscordAdapter, toSendError, type DiscordAdapterOptions } from './adapter.js';
export { customIdSigner } from './custom-id.js';
export { renderReply } from './render.js';
export { slashCommands } from './slash-commands.js';

export function discordAdapter(app: App, overrides: Partial<Pick<ConstructorParameters<typeof DiscordAdapter>[0], 'rest' | 'deferAfterMs'>> = {}): DiscordAdapter {
  const { config, secrets } = app.appConfig;
  if (!secrets.discordToken) throw new Error('DISCORD_TOKEN is not set');
  return new DiscordAdapter({
    token: secrets.discordToken,
    apiUrl: secrets.discordApiUrl,
    guildIds: secrets.discordGuildIds,
    settings: config.discord,
    localeFor: (guildId) => (guildId ? config.community.overrides[`discord:${guildId}`]?.locale : undefined) ?? config.community.locale.discord,
    router: app.router,
    commands: app.registry.commands,
    i18n: app.i18n,
    logger: app.logger,
    ...overrides,
  });
}
