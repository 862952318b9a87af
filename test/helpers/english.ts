/**
 * English words left in a Chinese text: what a zh-CN community should never
 * read. Allowed: `{placeholders}`, commands (`/quiz start`), `name=` syntax,
 * paths, hashtags (#promo), and a few tokens with no Chinese name in use.
 */
const ALLOWED = new Set(['URL', 'ID', 'cron', 'DM', 'Webhook', 'key', 'sha256', 'Discord', 'WeCom']);

export function englishWords(text: string, commandNames: ReadonlySet<string> = new Set()): string[] {
  const stripped = text
    .replace(/\{\w+\}/g, ' ')
    .replace(/[\w.*-]+\/[\w.*/-]+/g, ' ') // a path: config/quiz/*.yaml
    .replace(/\d{4}-\d{2}-\d{2}T[\d:+]+/g, ' ') // an ISO time: 2026-12-01T20:00
    // A command with its subcommand (`/schedule once`), as typed.
    .replace(/[/／!]([A-Za-z]+)(?: ([a-z]+))?/g, (whole, command: string, sub: string | undefined) => (commandNames.size === 0 || commandNames.has(command) ? (sub && commandNames.has(sub) ? ' ' : ` ${sub ?? ''}`) : whole))
    .replace(/\b[a-z_]+=/g, ' ')
    .replace(/#\w+/g, ' ');
  return (stripped.match(/[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]/g) ?? []).filter((word) => !ALLOWED.has(word));
}
