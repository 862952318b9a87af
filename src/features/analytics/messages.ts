import type { Catalog } from '../../core/i18n.js';

export const analyticsMessages = {
  'stats.describe': { 'zh-CN': '社群数据（管理员）：今天、本周、本月、留存、周报、分层、刷分', en: 'Community numbers (admin): today, week, month, retention, report, members, farming' },
  'stats.today.describe': { 'zh-CN': '今天的核心数据，与昨天相比（管理员）', en: "Today's headline numbers against yesterday (admin)" },
  'stats.week.describe': { 'zh-CN': '近 7 天的核心数据，与前 7 天相比（管理员）', en: 'The last 7 days against the 7 before (admin)' },
  'stats.month.describe': { 'zh-CN': '近 30 天的核心数据，与前 30 天相比（管理员）', en: 'The last 30 days against the 30 before (admin)' },
  'stats.history.describe': { 'zh-CN': '近几天的日活走势（默认 14 天，最多 30 天；管理员）', en: 'Daily actives over the last days (14 by default, up to 30; admin)' },
  'stats.arg.days': { 'zh-CN': '天数（1 到 30）', en: 'Days (1 to 30)' },
  'arg.days': { 'zh-CN': '天数', en: 'days' },
  'stats.retention.describe': { 'zh-CN': '新成员留存：按入群周的次日、7日、30日留存（管理员）', en: 'Retention of new members by join week: day 1, 7 and 30 (admin)' },

  'stats.title.today': { 'zh-CN': '📊 今日数据（{to}，对比昨天）', en: '📊 Today ({to}, against yesterday)' },
  'stats.title.week': { 'zh-CN': '📊 本周数据（{from} 至 {to}，对比前 7 天）', en: '📊 Last 7 days ({from} to {to}, against the 7 before)' },
  'stats.title.month': { 'zh-CN': '📊 本月数据（{from} 至 {to}，对比前 30 天）', en: '📊 Last 30 days ({from} to {to}, against the 30 before)' },
  'stats.line.members': { 'zh-CN': '👥 成员 {members} 人 · 新增 {joins} · 退出 {leaves} · 净增 {net}{change}', en: '👥 Members {members} · joined {joins} · left {leaves} · net {net}{change}' },
  'stats.line.dau': { 'zh-CN': '日活 {dau} 人 · 日活跃率 {rate}{change}（健康线 {benchmark}）', en: 'DAU {dau} · daily active rate {rate}{change} (healthy above {benchmark})' },
  'stats.line.dauAverage': { 'zh-CN': '日均日活 {dau} 人 · 日活跃率 {rate}{change}（健康线 {benchmark}）', en: 'Average DAU {dau} · daily active rate {rate}{change} (healthy above {benchmark})' },
  'stats.line.wauMau': { 'zh-CN': '周活 {wau} 人（{wauRate}{wauChange}）· 月活 {mau} 人（{mauRate}{mauChange}）', en: 'WAU {wau} ({wauRate}{wauChange}) · MAU {mau} ({mauRate}{mauChange})' },
  'stats.line.checkin': { 'zh-CN': '签到率 {rate}{change}（{count} 人）', en: 'Check-in rate {rate}{change} ({count})' },
  'stats.line.speaking': { 'zh-CN': '发言率 {rate}{change}（{count} 人）', en: 'Speaking rate {rate}{change} ({count})' },
  'stats.line.speakingUnmeasurable': { 'zh-CN': '发言率：无法统计（这里机器人只看得到 @ 它的消息）', en: 'Speaking rate: not measurable here (the bot sees only messages that mention it)' },
  'stats.line.participation': { 'zh-CN': '活动参与率 {rate}{change}（{count} 人，良好线 {benchmark}）', en: 'Activity participation {rate}{change} ({count}; good above {benchmark})' },
  'stats.line.interactions': { 'zh-CN': '每百人每天互动 {value} 次{change}（参考 {benchmark}）', en: 'Interactions per 100 members a day {value}{change} (typical: {benchmark})' },
  'stats.line.activeMeansInteracted': {
    'zh-CN': 'ℹ️ 这里「活跃」指与机器人互动（指令、签到、@机器人、按钮）。',
    en: 'ℹ️ Here "active" means interacted with the bot (a command, a check-in, an @-mention, a button).',
  },

  'stats.retentionTitle': { 'zh-CN': '📈 新成员留存（按入群周，最近 {weeks} 周）', en: '📈 New-member retention by join week (last {weeks} weeks)' },
  'stats.retentionRow': { 'zh-CN': '{week} 起：{size} 人 · 次日 {d1} · 7日 {d7} · 30日 {d30}', en: 'Week of {week}: {size} joined · D1 {d1} · D7 {d7} · D30 {d30}' },
  'stats.retentionNote': {
    'zh-CN': '留存：入群后第 1、7、30 天仍活跃的比例，良好线 {benchmark}；「—」表示那一天还没过完。',
    en: 'Retention: the share active on day 1, 7 and 30 after joining; good above {benchmark}. "—": that day is not over yet.',
  },

  'stats.historyTitle': { 'zh-CN': '📈 近 {days} 天日活（{from} 至 {to}）', en: '📈 Daily actives, last {days} days ({from} to {to})' },
  'stats.historyRange': { 'zh-CN': '最低 {min} 人（{minDay}）· 最高 {max} 人（{maxDay}）· 日均 {average} 人', en: 'Low {min} ({minDay}) · high {max} ({maxDay}) · average {average}' },
  'stats.historyRates': { 'zh-CN': '日活跃率 {minRate} 至 {maxRate}（健康线 {benchmark}）· 成员 {first} → {last}（{net}）', en: 'Daily active rate {minRate} to {maxRate} (healthy above {benchmark}) · members {first} → {last} ({net})' },
  'stats.historyNone': { 'zh-CN': '还没有过完的一天：明天再来看走势。', en: 'No whole day yet: the trend starts tomorrow.' },

  'stats.alert.forAdmins': { 'zh-CN': '⚠️ 管理员提醒 {admins}', en: '⚠️ For the admins {admins}' },
  'stats.alert.lowActive': {
    'zh-CN': '{day} 日活跃率 {rate}，低于预警线 {threshold}（日活 {active} 人 / 成员 {members} 人）。可以办个签到或抽奖活动，叫醒沉默成员。',
    en: 'The daily active rate on {day} was {rate}, below the alert line of {threshold} ({active} active of {members} members). A check-in push or a lottery can wake silent members.',
  },
  'stats.alert.lowActiveRecovered': {
    'zh-CN': '✅ {day} 日活跃率回到 {rate}（预警线 {threshold}；日活 {active} 人 / 成员 {members} 人），预警解除。',
    en: '✅ The daily active rate on {day} was back at {rate} (alert line {threshold}; {active} active of {members} members): the alert is over.',
  },
  'stats.alert.speakingDrop': {
    'zh-CN': '截至 {day} 的一周发言率 {thisWeek}，比上周的 {lastWeek} 下降 {drop}（预警线：降幅超过 {threshold}）。可以发个话题或问答活跃一下气氛。',
    en: 'The speaking rate of the week to {day} was {thisWeek}, down {drop} from {lastWeek} the week before (alert when it falls more than {threshold}). A topic or a quiz can get people talking.',
  },
  'stats.alert.speakingRecovered': {
    'zh-CN': '✅ 截至 {day} 的一周发言率 {thisWeek}（上周 {lastWeek}），周环比下降预警解除。',
    en: '✅ The speaking rate of the week to {day} was {thisWeek} ({lastWeek} the week before): the week-on-week alert is over.',
  },
  'stats.alert.interactionDrop': {
    'zh-CN': '截至 {day} 的一周，每百人日均互动 {thisWeek} 次，比上周的 {lastWeek} 次下降 {drop}（预警线：降幅超过 {threshold}）。可以办个签到、抽奖或问答活动。',
    en: 'In the week to {day}, interactions per 100 members a day were {thisWeek}, down {drop} from {lastWeek} the week before (alert when they fall more than {threshold}). A check-in push, a lottery or a quiz can help.',
  },
  'stats.alert.interactionRecovered': {
    'zh-CN': '✅ 截至 {day} 的一周，每百人日均互动 {thisWeek} 次（上周 {lastWeek} 次），周环比下降预警解除。',
    en: '✅ In the week to {day}, interactions per 100 members a day were {thisWeek} ({lastWeek} the week before): the week-on-week alert is over.',
  },
  'stats.alert.leaveSpike': {
    'zh-CN': '{minutes} 分钟内有 {count} 人退群（预警线 {threshold} 人），请留意群里发生了什么。',
    en: '{count} members left within {minutes} minutes (alert at {threshold}): worth a look at what is going on.',
  },
  'stats.alert.joinSpike': {
    'zh-CN': '{minutes} 分钟内有 {count} 人入群（预警线 {threshold} 人），可能是有人刷群，请留意。',
    en: '{count} members joined within {minutes} minutes (alert at {threshold}): possibly a raid, worth a look.',
  },
  'stats.report.describe': { 'zh-CN': '本周至今的周报（含图表），私信发给你（管理员）', en: "This week's report so far, with its chart, sent to you privately (admin)" },
  'report.sentPrivately': { 'zh-CN': '📬 周报已私信发给你。', en: '📬 The report is on its way to your direct messages.' },
  'report.noDirect': {
    'zh-CN': '📬 这里无法私下发送周报（需要先配置企业微信自建应用），为免在群里公开数据，这次不发送。',
    en: '📬 The report cannot be sent to you privately here (the platform has no direct messages configured), so it is not posted in the group.',
  },
  'report.dmRefused': {
    'zh-CN': '📬 {admins} 周报无法私信送达：请打开私信，或请运维在配置里设置管理员频道。',
    en: '📬 {admins} The weekly report could not reach you by direct message: open your DMs, or configure an admin channel (analytics.weeklyReport).',
  },
  'report.title': { 'zh-CN': '📅 周报 · {community}（{from} 至 {to}）', en: '📅 Weekly report · {community} ({from} to {to})' },
  'report.headline': { 'zh-CN': '**核心数据**（对比前一周）', en: '**Headline numbers** (against the week before)' },
  'report.best': { 'zh-CN': '🏆 最活跃的一天：{day}，日活 {active} 人（{rate}）', en: '🏆 Best day: {day}, {active} active ({rate})' },
  'report.bestNone': { 'zh-CN': '🏆 本周还没有过完的一天。', en: '🏆 No whole day in this week yet.' },
  'report.top': { 'zh-CN': '⭐ 本周最活跃：{list}', en: '⭐ Most active: {list}' },
  'report.topItem': { 'zh-CN': '{name}（{count} 次）', en: '{name} ({count})' },
  'report.topNone': { 'zh-CN': '⭐ 本周还没有人互动。', en: '⭐ No one interacted this week.' },
  'report.activities': {
    'zh-CN': '🎯 **活动复盘**（参与率按成员 {members} 人计；新人：活动开始前 7 天内才入群）',
    en: '🎯 **Activities** (participation over {members} members; new: first seen within 7 days before the activity began)',
  },
  'report.activity.lottery': { 'zh-CN': '抽奖「{name}」：{count} 人参与 · 参与率 {rate} · 新人 {newcomers} / 老成员 {returning}', en: 'Lottery "{name}": {count} entrants · {rate} · new {newcomers} / returning {returning}' },
  'report.activity.quiz': { 'zh-CN': '答题「{name}」：{count} 人作答 · 参与率 {rate} · 新人 {newcomers} / 老成员 {returning}', en: 'Quiz "{name}": {count} answered · {rate} · new {newcomers} / returning {returning}' },
  'report.activity.poll': { 'zh-CN': '投票「{name}」：{count} 人投票 · 参与率 {rate} · 新人 {newcomers} / 老成员 {returning}', en: 'Poll "{name}": {count} voted · {rate} · new {newcomers} / returning {returning}' },
  'report.activitiesMore': { 'zh-CN': '还有 {count} 个活动，详见数据看板。', en: '{count} more on the dashboard.' },
  'report.activitiesNone': { 'zh-CN': '🎯 本周没有抽奖、答题或投票。', en: '🎯 No lottery, quiz or poll this week.' },
  'report.silent': { 'zh-CN': '😶 沉默成员：{count} 人上周活跃、本周没有动静（{names}）', en: '😶 Went silent: {count} active the week before, not this week ({names})' },
  'report.silentMore': { 'zh-CN': '{names} 等', en: '{names} and others' },
  'report.silentNone': { 'zh-CN': '😶 上周活跃的成员本周都还活跃。', en: '😶 Everyone active the week before was active this week too.' },
  'report.alerts': { 'zh-CN': '⚠️ 本周预警 {count} 次：{list}', en: '⚠️ Alerts this week: {count} ({list})' },
  'report.alert.lowActive': { 'zh-CN': '日活跃率偏低 {count} 次', en: 'low active rate {count}×' },
  'report.alert.weekDrop': { 'zh-CN': '周环比下降 {count} 次', en: 'week-on-week drop {count}×' },
  'report.alert.joinSpike': { 'zh-CN': '入群激增 {count} 次', en: 'join spike {count}×' },
  'report.alert.leaveSpike': { 'zh-CN': '退群激增 {count} 次', en: 'leave spike {count}×' },
  'report.separator': { 'zh-CN': '、', en: ', ' },
  'report.alertsNone': { 'zh-CN': '✅ 本周没有预警。', en: '✅ No alerts this week.' },
  'report.imageAlt': { 'zh-CN': '{from} 至 {to} 的日活、周活、月活与日活跃率走势图', en: 'Daily, weekly and monthly actives and the daily active rate, {from} to {to}' },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    analytics: typeof analyticsMessages;
  }
}
