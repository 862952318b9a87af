import type { Catalog } from '../../core/i18n.js';

export const checkinMessages = {
  'checkin.describe': { 'zh-CN': '每日签到，赚积分、攒连续天数', en: 'Daily check-in: earn points and build a streak' },
  'checkin.done': { 'zh-CN': '✅ {name} 签到成功！+{total} 积分', en: '✅ {name} checked in! +{total} points' },
  'checkin.breakdown': { 'zh-CN': '（基础 {base} + 连续奖励 {bonus}）', en: '(base {base} + streak bonus {bonus})' },
  'checkin.streak': { 'zh-CN': '🔥 连续签到 {streak} 天 · 今天第 {rank} 个签到', en: '🔥 {streak}-day streak · #{rank} to check in today' },
  'checkin.balance': { 'zh-CN': '积分余额：{balance}', en: 'Balance: {balance}' },
  'checkin.milestone': { 'zh-CN': '🎊 达成连续签到 {days} 天成就！', en: '🎊 Milestone: {days} days in a row!' },
  'checkin.lost': { 'zh-CN': '之前的 {streak} 天连续记录中断了，今天重新开始！', en: 'Your {streak}-day streak ended; a new one starts today!' },
  'checkin.freezeUsed': { 'zh-CN': '🧊 使用了 {count} 张补签卡，连续记录已保住。', en: '🧊 Used {count} streak freeze(s); your streak is safe.' },
  'checkin.already': {
    'zh-CN': '你今天已经签到过了，当前连续 {streak} 天。明天再来吧！',
    en: 'You already checked in today. Current streak: {streak} days. Come back tomorrow!',
  },
  'checkin.profileLine': { 'zh-CN': '连续签到：{streak} 天（最长 {best} 天）', en: 'Streak: {streak} days (best {best})' },
  'freeze.describe': { 'zh-CN': '用积分购买补签卡，保护一次漏签', en: 'Buy a streak freeze with points to cover a missed day' },
  'freeze.done': { 'zh-CN': '🧊 购买成功！你现在有 {freezes} 张补签卡，余额 {balance}。', en: '🧊 Bought! You now hold {freezes} streak freeze(s). Balance: {balance}.' },
  'checkin.freezeDisabled': { 'zh-CN': '本群没有开启补签卡。', en: 'Streak freezes are not enabled in this community.' },
  'checkin.freezeNeedsCheckin': { 'zh-CN': '先签到一次，再购买补签卡。', en: 'Check in once before buying a streak freeze.' },
  'checkin.freezeMax': { 'zh-CN': '最多只能持有 {max} 张补签卡。', en: 'You can hold at most {max} streak freezes.' },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    checkin: typeof checkinMessages;
  }
}
