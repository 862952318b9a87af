/**
 * Which platform adapters run, decided by the secrets in the environment
 * (DESIGN.md §3). The playground is built into the app itself.
 */
import type { App } from '../app.js';
import type { AppConfig } from '../config/schema.js';
import type { Adapter } from './adapter.js';

export function platformAdapters(_appConfig: AppConfig): (app: App) => Adapter[] {
  return () => [];
}
