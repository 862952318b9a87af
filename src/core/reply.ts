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
}

export function mention(platformUserId: string): string {
  return `<@${platformUserId}>`;
}
