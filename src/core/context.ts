import type { ChatEvent, Platform } from './chat-event.js';
import type { Day } from './community-day.js';
import type { Locale, Translate } from './i18n.js';

export interface CommunityInfo {
  id: number;
  platform: Platform;
  externalId: string;
  name: string;
  locale: Locale;
  timezone: string;
  dayStartHour: number;
}

export interface MemberInfo {
  id: number;
  communityId: number;
  platformUserId: string;
  displayName: string;
  joinedAt: Date;
}

/** Work to do once the command's transaction has committed (enqueue a timer, send a post). */
export type { AfterCommit } from '../store/group-commit.js';
import type { AfterCommit } from '../store/group-commit.js';

/** What a handler gets: who, where, when, in which language. */
export interface CommandContext {
  event: ChatEvent;
  now: Date;
  /** Today in the community's calendar. */
  day: Day;
  community: CommunityInfo;
  member: MemberInfo;
  isAdmin: boolean;
  locale: Locale;
  t: Translate;
  afterCommit(fn: AfterCommit): void;
}
