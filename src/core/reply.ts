/**
 * The platform-neutral reply. Features build these; adapters render them
 * (Discord embeds and buttons, WeCom markdown with numbered options, the
 * playground's HTML).
 *
 * Text uses a small markdown subset: **bold**, `code`, line breaks and "- "
 * list items. Mentions are written `<@platformUserId>` and resolved to names
 * through `mentions` where the platform has no native mention.
 */
export interface ReplyAction {
  /** Button label (already translated). */
  label: string;
  /** The text command the action stands for, e.g. "lottery join 12". */
  command: string;
  style?: 'primary' | 'secondary' | 'success' | 'danger';
}

export interface ReplyField {
  name: string;
  value: string;
  inline?: boolean;
}

/**
 * An image sent with a reply (the weekly report's chart): PNG bytes as base64,
 * so the reply stays plain JSON in the outbox. The one way to send an image:
 * Discord attaches it (a multipart upload), WeCom uploads it as temporary
 * media for an app message or posts it through a group webhook (base64 and
 * md5, at most 2 MB), the playground shows it as a data URL.
 */
export interface ReplyImage {
  pngBase64: string;
  /** File name, e.g. `weekly-2026-11-16.png`. */
  name: string;
  /** What the image shows, for a platform or a reader that cannot show it. */
  alt: string;
}

export interface Reply {
  text: string;
  title?: string;
  fields?: ReplyField[];
  /** platformUserId → display name, for the mentions used in text. */
  mentions?: Record<string, string>;
  actions?: ReplyAction[];
  /**
   * The text already tells, in the community's language, what to type for each
   * action ("回复 参与抽奖 3"): a platform without buttons (WeCom) shows the text
   * alone instead of listing the actions again as raw commands.
   */
  actionsExplained?: boolean;
  /** Only the caller sees it, where the platform allows (Discord). */
  ephemeral?: boolean;
  /** Notify everyone (@everyone on Discord, @all on WeCom), where the platform allows. */
  mentionEveryone?: boolean;
  image?: ReplyImage;
  /**
   * Post in this place instead of the community's own channel: a Discord
   * channel id, or a WeCom group chat id whose bound webhook posts it (an
   * admin channel or admin group for the weekly report).
   */
  channel?: string;
}

export function mention(platformUserId: string): string {
  return `<@${platformUserId}>`;
}
