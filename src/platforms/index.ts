/**
 * Which platform adapters run, decided by the secrets in the environment
 * (DESIGN.md §3). The playground is built into the app itself.
 */
import type { App } from '../app.js';
import type { AppConfig } from '../config/schema.js';
import type { Adapter } from './adapter.js';
import { discordAdapter } from './discord/index.js';
import { wecomAdapter, wecomEnabled } from './wecom/adapter.js';

export function platformAdapters(appConfig: AppConfig): (app: App) => Adapter[] {
  return (app) => {
    const adapters: Adapter[] = [];
    if (appConfig.secrets.discordToken) adapters.push(discordAdapter(app));
    if (wecomEnabled(appConfig.secrets)) adapters.push(wecomAdapter(app));
    return adapters;
  };
}
