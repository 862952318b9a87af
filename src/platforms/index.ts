/**
 * Which platform adapters run, decided by the secrets in the environment
 * (DESIGN.md §3). The playground is built into the app itself.
 */
import type { AppConfig } from '../config/schema.js';
import type { Adapter, AdapterDeps } from './adapter.js';
import { discordAdapter } from './discord/index.js';
import { wecomAdapter, wecomEnabled } from './wecom/adapter.js';

export function platformAdapters(appConfig: AppConfig): (deps: AdapterDeps) => Adapter[] {
  return (deps) => {
    const adapters: Adapter[] = [];
    if (appConfig.secrets.discordToken) adapters.push(discordAdapter(deps));
    if (wecomEnabled(appConfig.secrets)) adapters.push(wecomAdapter(deps));
    return adapters;
  };
}
