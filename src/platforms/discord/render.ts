/**
 * Renders the platform-neutral Reply as a Discord message: plain content
 * when it fits, else embeds within Discord's limits (platforms.md §2), and
 * action buttons with signed custom_ids. Long content is split across embeds
 * and truncated with a marker, so a reply never gets a 400.
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { Reply, ReplyAction } from '../../core/reply.js';
import type { CustomIdSigner } from './custom-id.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  total: 6000,
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
} as const;

export const TRUNCATED = '…';
const EMPTY = '\u200b';

type MentionKind = 'users' | 'everyone';

export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowedMentions: { parse: MentionKind[]; repliedUser: boolean };
  /** Only the caller sees it (interactions only: flags 64). */
  ephemeral: boolean;
  /** Actions that could not become buttons (custom_id over 100 characters, more than 25 buttons). */
  droppedActions: number;
  /** The reply's image as an attachment (a multipart upload; its alt text as the attachment's description). */
  files?: Array<{ name: string; data: Buffer; contentType: string; description: string }>;
}

const STYLES: Record<NonNullable<ReplyAction['style']>, ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  success: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
};

export function renderReply(reply: Reply, signer: CustomIdSigner): DiscordMessage {
  const message = renderText(reply, signer);
  if (!reply.image) return message;
  const { name, pngBase64, alt } = reply.image;
  return { ...message, files: [{ name, data: Buffer.from(pngBase64, 'base64'), contentType: 'image/png', description: truncate(alt, 1024) }] };
}

function renderText(reply: Reply, signer: CustomIdSigner): DiscordMessage {
  const everyone = reply.mentionEveryone === true;
  const parse: MentionKind[] = everyone ? ['users', 'everyone'] : ['users'];
  const { components, dropped } = renderActions(reply.actions ?? [], signer);
  const base = { components, allowedMentions: { parse, repliedUser: false }, ephemeral: reply.ephemeral === true, droppedActions: dropped };
  const plain = reply.title === undefined && (reply.fields ?? []).length === 0;
  const prefixed = everyone ? `@everyone ${reply.text}` : reply.text;
  if (plain && prefixed.trim() && prefixed.length <= LIMITS.content) return { ...base, content: prefixed, embeds: [] };
  return { ...base, content: everyone ? '@everyone' : undefined, embeds: renderEmbeds(reply) };
}

/** Embeds for a reply; the first carries title and fields, the text flows across descriptions. */
function renderEmbeds(reply: Pick<Reply, 'title' | 'text' | 'fields'>): APIEmbed[] {
  let budget: number = LIMITS.total;
  const first: APIEmbed = {};
  if (reply.title !== undefined && reply.title.trim()) {
    first.title = truncate(reply.title, LIMITS.title);
    budget -= first.title.length;
  }
  const fields = renderFields(reply.fields ?? [], budget);
  if (fields.length > 0) {
    first.fields = fields;
    budget -= fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  }
  const embeds = [first];
  const chunks = splitText(reply.text, LIMITS.description, Math.max(0, budget), LIMITS.embeds);
  chunks.forEach((chunk, i) => {
    if (i === 0) first.description = chunk;
    else embeds.push({ description: chunk });
  });
  if (first.title === undefined && first.description === undefined && first.fields === undefined) first.description = EMPTY;
  return embeds;
}

function renderFields(fields: readonly { name: string; value: string; inline?: boolean }[], budget: number): APIEmbedField[] {
  const out: APIEmbedField[] = [];
  let left = budget;
  for (const [i, field] of fields.entries()) {
    const more = fields.length - i;
    if (out.length === LIMITS.fields - 1 && more > 1) {
      // No room for the rest: say how many were left out.
      const marker = { name: TRUNCATED, value: `+${more}`, inline: false };
      if (left >= marker.name.length + marker.value.length) out.push(marker);
      break;
    }
    const name = truncate(field.name.trim() || EMPTY, LIMITS.fieldName);
    const value = truncate(field.value.trim() || EMPTY, LIMITS.fieldValue);
    // Keep some room for the description.
    if (name.length + value.length > left - 64) break;
    out.push({ name, value, inline: field.inline === true });
    left -= name.length + value.length;
  }
  return out;
}

/**
 * Split `text` into at most `maxChunks` pieces of at most `chunkSize`
 * characters, preferring line breaks, using at most `budget` characters in
 * all. Whatever does not fit is cut and marked with `…`.
 */
export function splitText(text: string, chunkSize: number, budget: number, maxChunks: number): string[] {
  const trimmed = text.trim();
  if (!trimmed || budget <= 0) return [];
  const chunks: string[] = [];
  let rest = trimmed;
  let left = budget;
  while (rest && chunks.length < maxChunks && left > 0) {
    const size = Math.min(chunkSize, left);
    const last = chunks.length === maxChunks - 1;
    if (rest.length <= size) {
      chunks.push(rest);
      rest = '';
      break;
    }
    if (last || size < chunkSize) {
      chunks.push(truncate(rest, size));
      rest = '';
      break;
    }
    let cut = rest.lastIndexOf('\n', size);
    if (cut < size / 2) cut = rest.lastIndexOf(' ', size);
    if (cut < size / 2) cut = size;
    // Never split a surrogate pair.
    if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    const piece = rest.slice(0, cut).trimEnd();
    chunks.push(piece);
    left -= piece.length;
    rest = rest.slice(cut).trimStart();
  }
  if (rest && chunks.length > 0) {
    // Ran out of chunks: mark the last one as cut.
    const lastIndex = chunks.length - 1;
    const lastChunk = chunks[lastIndex] as string;
    if (!lastChunk.endsWith(TRUNCATED)) chunks[lastIndex] = truncate(`${lastChunk}${TRUNCATED}${TRUNCATED}`, lastChunk.length);
  }
  return chunks;
}

/** At most `max` characters; a cut string ends with `…`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= TRUNCATED.length) return TRUNCATED.slice(0, max);
  let end = max - TRUNCATED.length;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end).trimEnd()}${TRUNCATED}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function renderActions(actions: readonly ReplyAction[], signer: CustomIdSigner): { components: APIActionRowComponent<APIButtonComponent>[]; dropped: number } {
  const buttons: APIButtonComponent[] = [];
  let dropped = 0;
  const seen = new Set<string>();
  for (const action of actions) {
    const customId = signer.sign(action.command);
    // Two buttons with the same custom_id are a 400.
    if (!customId || seen.has(customId) || buttons.length >= LIMITS.buttonsPerRow * LIMITS.rows) {
      dropped++;
      continue;
    }
    seen.add(customId);
    buttons.push({
      type: ComponentType.Button,
      style: STYLES[action.style ?? 'primary'],
      label: truncate(action.label.trim() || action.command, LIMITS.buttonLabel),
      custom_id: customId,
    });
  }
  const components: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    components.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return { components, dropped };
}
