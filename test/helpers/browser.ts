/** Debian's chromium through playwright-core (never a downloaded browser), for the page tests. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
/** CI installs chromium; elsewhere the page tests run when it is there. */
export const chromiumAvailable = existsSync(CHROMIUM) || process.env.CI === 'true';
/** Screenshots worth looking at (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
