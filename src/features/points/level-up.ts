/**
 * Level-up announcements. PointsService sees every crossing; the caller's
 * reply tells it when the reply goes to that member (`levelUpLine`),
 * otherwise it is posted to the community through the outbox, mentioning
 * the member, once per member and level. A level's perk role
 * (`points.levels[].role`) is granted after the commit where the platform has
 * roles (Discord); a refusal is reported to `onError` (logged), not retried.
 * With `points.levelRoles.removeWhenBelow`, a member whose level drops (an
 * admin's /deduct) loses the roles of the levels no longer held the same way.
 */
import type { MemberInfo } from '../../core/context.js';
import type { I18n, Locale, Translate } from '../../core/i18n.js';
import type { Outbox } from '../../core/outbox/service.js';
import { mention } from '../../core/reply.js';
import type { Level } from './levels.js';
import type { Roles } from '../../core/sender.js';
import type { LevelRoleGrant, LevelRoleRemove, LevelUpPost } from './service.js';

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

type LevelRoleDeps = { roles: Roles; member: (id: number) => Promise<MemberInfo | undefined>; onError: (err: unknown, about: { communityId: number; memberId: number; roleId: string }) => void };

export function levelRoleGranter(deps: LevelRoleDeps): LevelRoleGrant {
  return levelRoleChange(deps, 'grant', 'qunbot: level reached');
}

/** `points.levelRoles.removeWhenBelow`: the roles of levels a member no longer holds, taken away after the commit. */
export function levelRoleRemover(deps: LevelRoleDeps): LevelRoleRemove {
  return levelRoleChange(deps, 'remove', 'qunbot: below the level');
}

function levelRoleChange(deps: LevelRoleDeps, what: 'grant' | 'remove', reason: string): LevelRoleGrant {
  return async ({ communityId, memberId, roleIds, afterCommit }) => {
    const member = await deps.member(memberId);
    if (!member) return;
    afterCommit(async () => {
      if (!(await deps.roles.can(communityId))) return;
      for (const roleId of roleIds) {
        try {
          await deps.roles[what](communityId, member.platformUserId, roleId, reason);
        } catch (err) {
          deps.onError(err, { communityId, memberId, roleId });
        }
      }
    });
  };
}
