/**
 * Level-up announcements. PointsService sees every crossing; the caller's
 * reply tells it when the reply goes to that member (`levelUpLine`),
 * otherwise it is posted to the community through the outbox, mentioning
 * the member, once per member and level. A level's perk role
 * (`points.levels[].role`) is granted after the commit where the platform has
 * roles (Discord); a refusal is reported to `onError` (logged), not retried.
 */
import type { MemberInfo } from '../../core/context.js';
import type { I18n, Locale, Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import { mention } from '../../core/reply.js';
import type { Level } from './levels.js';
import type { Roles } from '../../core/sender.js';
import type { LevelRoleGrant, LevelUpPost } from './service.js';

const LEVEL_UP_SOURCE = 'level-up';

/** The line a reply adds: to the member themselves, or naming them (`name`) when others read it. */
export function levelUpLine(t: Translate, locale: Locale, level: Level, name?: string): string {
  return name === undefined ? t('points.levelUp', { level: level.name[locale] }) : t('points.levelUpOf', { name, level: level.name[locale] });
}

export function levelUpPoster(deps: { outbox: Outbox; i18n: I18n; member: (id: number) => Promise<MemberInfo | undefined>; locale: (communityId: number) => Promise<Locale> }): LevelUpPost {
  return async ({ communityId, memberId, level, at, afterCommit }) => {
    const member = await deps.member(memberId);
    if (!member) return;
    const locale = await deps.locale(communityId);
    const text = levelUpLine(deps.i18n.translator(locale), locale, level, mention(member.platformUserId));
    await deps.outbox.post(communityId, { text, mentions: { [member.platformUserId]: member.displayName } }, { key: `level-up:${memberId}:${level.index}`, source: LEVEL_UP_SOURCE, at, afterCommit });
  };
}

export function levelRoleGranter(deps: { roles: Roles; member: (id: number) => Promise<MemberInfo | undefined>; onError: (err: unknown, about: { communityId: number; memberId: number; roleId: string }) => void }): LevelRoleGrant {
  return async ({ communityId, memberId, roleIds, afterCommit }) => {
    const member = await deps.member(memberId);
    if (!member) return;
    afterCommit(async () => {
      if (!(await deps.roles.can(communityId))) return;
      for (const roleId of roleIds) {
        try {
          await deps.roles.grant(communityId, member.platformUserId, roleId, 'qunbot: level reached');
        } catch (err) {
          deps.onError(err, { communityId, memberId, roleId });
        }
      }
    });
  };
}
