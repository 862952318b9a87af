import type { Catalog } from '../../core/i18n.js';

export const pointsMessages = {
  'points.describe': { 'zh-CN': '查看积分、等级、排名和连续签到', en: 'Your points, level, rank and streak' },
  'points.arg.member': { 'zh-CN': '要查看的成员', en: 'The member to look up' },
  'points.title': { 'zh-CN': '{name} 的积分', en: "{name}'s points" },
  'points.profile': {
    'zh-CN': '积分余额：**{balance}**\n累计获得：{earned}\n等级：**{level}**\n排名：第 {rank} 名',
    en: 'Balance: **{balance}**\nEarned in total: {earned}\nLevel: **{level}**\nRank: #{rank}',
  },
  'points.nextLevel': { 'zh-CN': '距离「{next}」还差 {missing} 分', en: '{missing} more to reach {next}' },
  'points.shopDiscount': { 'zh-CN': '等级权益：商城兑换享 {percent}% 折扣', en: 'Level perk: {percent}% off in the shop' },
  'points.maxLevel': { 'zh-CN': '已达最高等级 🎖', en: 'Top level reached 🎖' },
  'points.insufficient': { 'zh-CN': '积分不足：余额 {balance}，需要 {needed}。', en: 'Not enough points: balance {balance}, needed {needed}.' },
  'points.levelUp': { 'zh-CN': '🎉 升级啦！你现在是「{level}」。', en: '🎉 Level up! You are now {level}.' },
  'points.levelUpOf': { 'zh-CN': '🎉 {name} 升级啦！现在是「{level}」。', en: '🎉 Level up! {name} is now {level}.' },

  'leaderboard.describe': { 'zh-CN': '积分排行榜（本周、本月或总榜）', en: 'Points leaderboard (this week, this month or all time)' },
  'leaderboard.arg.period': { 'zh-CN': '时间范围：本周、本月或总榜', en: 'Period: week, month or all' },
  'arg.period': { 'zh-CN': '时间范围', en: 'period' },
  'choice.period.week': { 'zh-CN': '本周', en: 'week' },
  'choice.period.month': { 'zh-CN': '本月', en: 'month' },
  'choice.period.all': { 'zh-CN': '总榜', en: 'all' },
  'leaderboard.title.week': { 'zh-CN': '🏆 本周排行榜', en: '🏆 Leaderboard · this week' },
  'leaderboard.title.month': { 'zh-CN': '🏆 本月排行榜', en: '🏆 Leaderboard · this month' },
  'leaderboard.title.all': { 'zh-CN': '🏆 总排行榜', en: '🏆 Leaderboard · all time' },
  'leaderboard.row': { 'zh-CN': '{rank}. {name} — {points} 分', en: '{rank}. {name} — {points} pts' },
  'leaderboard.empty': { 'zh-CN': '还没有人上榜，发送 /签到 成为第一名！', en: 'Nobody on the board yet. Send /checkin to be the first!' },
  'leaderboard.me': { 'zh-CN': '你的排名：第 {rank} 名（{points} 分）', en: 'You: #{rank} ({points} pts)' },
  'leaderboard.meNone': { 'zh-CN': '你在这个时间段还没有获得积分。', en: 'You have not earned points in this period yet.' },

  'grant.describe': { 'zh-CN': '给成员加分（管理员）', en: 'Give a member points (admin)' },
  'deduct.describe': { 'zh-CN': '给成员扣分（管理员）', en: 'Take points from a member (admin)' },
  'adjust.arg.member': { 'zh-CN': '成员', en: 'The member' },
  'adjust.arg.points': { 'zh-CN': '分数（正整数）', en: 'Points (a positive whole number)' },
  'adjust.arg.reason': { 'zh-CN': '原因（会记录在账本中）', en: 'Reason (recorded in the ledger)' },
  'grant.done': { 'zh-CN': '已给 {name} 加 {points} 分（{reason}）。当前余额：{balance}', en: 'Gave {name} {points} points ({reason}). Balance now: {balance}' },
  'deduct.done': { 'zh-CN': '已扣除 {name} {points} 分（{reason}）。当前余额：{balance}', en: 'Took {points} points from {name} ({reason}). Balance now: {balance}' },
  'deduct.insufficient': {
    'zh-CN': '{name} 的余额只有 {balance} 分，不能扣 {points} 分（余额不能为负）。',
    en: '{name} has only {balance} points; cannot take {points} (a balance never goes negative).',
  },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    points: typeof pointsMessages;
  }
}
