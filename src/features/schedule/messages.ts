import type { Catalog } from '../../core/i18n.js';

export const scheduleMessages = {
  'announce.describe': { 'zh-CN': '立即发布公告（管理员）', en: 'Post an announcement now (admin)' },
  'announce.arg.text': { 'zh-CN': '公告内容', en: 'What to post' },
  'announce.done': { 'zh-CN': '📣 公告已提交发送（#{id}）。', en: '📣 Announcement queued for posting (#{id}).' },
  'schedule.describe': { 'zh-CN': '定时发布：一次性或周期性（管理员）', en: 'Scheduled posts: one-off or recurring (admin)' },
  'schedule.once.describe': { 'zh-CN': '定时发布一次：时间可以是 21:30、明天 9:00、+10m、2026-12-01T20:00', en: 'Post once at a time: 21:30, tomorrow 9:00, +10m, 2026-12-01T20:00' },
  'schedule.add.describe': { 'zh-CN': '按 cron 周期发布（社区时区），例如 "0 20 * * 3"', en: 'Post on a cron schedule (community timezone), e.g. "0 20 * * 3"' },
  'schedule.list.describe': { 'zh-CN': '查看定时发布', en: 'List scheduled posts' },
  'schedule.pause.describe': { 'zh-CN': '暂停一个定时发布', en: 'Pause a scheduled post' },
  'schedule.resume.describe': { 'zh-CN': '恢复一个定时发布', en: 'Resume a scheduled post' },
  'schedule.remove.describe': { 'zh-CN': '删除一个定时发布', en: 'Remove a scheduled post' },
  'schedule.arg.when': { 'zh-CN': '时间', en: 'When' },
  'schedule.arg.cron': { 'zh-CN': 'cron 表达式（5 或 6 段，用引号括起来）', en: 'Cron pattern (5 or 6 fields, in quotes)' },
  'schedule.arg.text': { 'zh-CN': '内容（含 #promo 表示推广内容）', en: 'Text (#promo marks promotional posts)' },
  'schedule.arg.id': { 'zh-CN': '定时发布的编号', en: 'The scheduled post id' },
  'arg.when': { 'zh-CN': '时间', en: 'when' },
  'arg.cron': { 'zh-CN': 'cron 表达式', en: 'cron' },
  'schedule.onceDone': { 'zh-CN': '⏰ 已安排 #{id}：{at} 发布。', en: '⏰ Scheduled #{id} for {at}.' },
  'schedule.addDone': { 'zh-CN': '🔁 已添加周期发布 #{id}（{cron}，{timezone}），下次：{next}。', en: '🔁 Added recurring post #{id} ({cron}, {timezone}); next: {next}.' },
  'schedule.timerDown': { 'zh-CN': '（定时服务暂时不可用，已记录，恢复后会自动补上。）', en: '(The timer service is unavailable right now; this is saved and will be armed when it is back.)' },
  'schedule.empty': { 'zh-CN': '还没有定时发布。用 /schedule once 或 /schedule add 添加。', en: 'No scheduled posts yet. Add one with /schedule once or /schedule add.' },
  'schedule.listTitle': { 'zh-CN': '🗓 定时发布', en: '🗓 Scheduled posts' },
  'schedule.row': { 'zh-CN': '#{id} · {kind} · 下次：{next}{state}\n  「{preview}」', en: '#{id} · {kind} · next: {next}{state}\n  "{preview}"' },
  'schedule.kindOnce': { 'zh-CN': '一次性', en: 'one-off' },
  'schedule.kindCron': { 'zh-CN': '周期 {cron}', en: 'cron {cron}' },
  'schedule.paused': { 'zh-CN': ' · ⏸ 已暂停', en: ' · ⏸ paused' },
  'schedule.lastFailed': { 'zh-CN': ' · ⚠️ 上次发送失败：{error}', en: ' · ⚠️ last send failed: {error}' },
  'schedule.noNext': { 'zh-CN': '—', en: '—' },
  'schedule.paused.done': { 'zh-CN': '⏸ 已暂停 #{id}。', en: '⏸ Paused #{id}.' },
  'schedule.resumed': { 'zh-CN': '▶️ 已恢复 #{id}。', en: '▶️ Resumed #{id}.' },
  'schedule.removed': { 'zh-CN': '🗑 已删除 #{id}。', en: '🗑 Removed #{id}.' },
  'schedule.notFound': { 'zh-CN': '没有编号为 #{id} 的定时发布。', en: 'There is no scheduled post #{id}.' },
  'schedule.notPaused': { 'zh-CN': '#{id} 没有暂停。', en: '#{id} is not paused.' },
  'schedule.notActive': { 'zh-CN': '#{id} 不在运行中。', en: '#{id} is not running.' },
  'schedule.cron.tooOften': { 'zh-CN': '这个周期太频繁了（每 {seconds} 秒），最快每 {min} 秒一次。', en: 'That fires too often (every {seconds}s); at most once every {min}s.' },
  'schedule.promoCap': {
    'zh-CN': '加上这条，本周推广内容将占 {share}%（{promo}/{total}），超过上限 {cap}%。请减少 #promo 发布或增加普通内容。',
    en: 'With this post, promotional posts would be {share}% of this week ({promo}/{total}), over the {cap}% cap. Post fewer #promo items or more regular content.',
  },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    schedule: typeof scheduleMessages;
  }
}
