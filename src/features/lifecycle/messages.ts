import type { Catalog } from '../../core/i18n.js';

export const lifecycleMessages = {
  'lifecycle.welcome': { 'zh-CN': '👋 欢迎 {mention} 加入{community}！', en: '👋 Welcome to {community}, {mention}!' },
  'lifecycle.welcomeBack': { 'zh-CN': '👋 欢迎 {mention} 回来！', en: '👋 Welcome back, {mention}!' },
  'lifecycle.welcomeBatch': { 'zh-CN': '👋 欢迎 {count} 位新朋友加入{community}：{mentions}', en: '👋 Welcome to {community}, {count} new members: {mentions}' },
  'lifecycle.thisCommunity': { 'zh-CN': '本群', en: 'the community' },
  'lifecycle.welcomeRules': { 'zh-CN': '群规：友善交流，不刷屏、不发广告。发送「活跃规则」查看积分规则。', en: 'House rules: be kind, no spam, no ads. Send /activity to see how chatting earns points.' },
  'lifecycle.welcomeCheckin': { 'zh-CN': '每天发送「签到」领取积分，连续签到还有额外奖励。', en: 'Send /checkin every day for points; streaks earn bonuses.' },
  'lifecycle.welcomeBonus': { 'zh-CN': '🎁 新人礼：已送你 {bonus} 积分！', en: '🎁 Newcomer gift: {bonus} points are yours!' },
  'lifecycle.welcomeBonusBatch': { 'zh-CN': '🎁 每位新朋友都收到了 {bonus} 积分新人礼！', en: '🎁 Each newcomer got a {bonus}-point welcome gift!' },
  'lifecycle.followup': { 'zh-CN': '{mention} 新人小贴士：', en: '{mention}, a tip for newcomers:' },
  'lifecycle.tip.checkin': { 'zh-CN': '还没签到过？发送「签到」即可领取每日积分。', en: 'Not checked in yet? Send /checkin to collect your daily points.' },
  'lifecycle.tip.chat': { 'zh-CN': '来群里打个招呼吧，聊天也能获得活跃积分（发送「活跃规则」了解）。', en: 'Say hello in the chat; messages earn activity points too (see /activity).' },
  'lifecycle.tip.streak': { 'zh-CN': '连续签到 3 天有额外奖励，坚持一下！', en: 'Check in three days in a row for a streak bonus!' },
  'lifecycle.tip.points': { 'zh-CN': '发送「积分」查看等级和排名，「排行榜」看看谁最活跃。', en: 'Send /points for your level and rank, /leaderboard to see the most active.' },
  'lifecycle.nudge': { 'zh-CN': '👀 好久不见，{mentions}！最近群里有新活动，回来聊聊吧～（不想被提醒可以发送「免打扰」）', en: '👀 We miss you, {mentions}! Come back and say hi. (Send /quiet to stop these reminders.)' },

  'activity.describe': { 'zh-CN': '查看活跃积分规则', en: 'How chatting earns points' },
  'activity.title': { 'zh-CN': '💬 活跃积分规则', en: '💬 Activity points' },
  'activity.rules': {
    'zh-CN':
      '- 每条消息 {points} 积分，两次得分至少间隔 {cooldown} 秒\n- 消息至少 {minLength} 个字（表情不算）\n- 重复发送相同内容、纯表情或贴纸不得分\n- 每天活跃积分上限 {cap}\n- 入群不满 {newDays} 天的新成员按 {rate}% 计算\n- 每人每天从所有来源（管理员加分除外）最多获得 {dailyEarnCap} 积分；签到积分不受此限',
    en:
      '- {points} point(s) per message, at most one scoring message every {cooldown} s\n- at least {minLength} characters (emoji do not count)\n- repeated messages, emoji-only messages and stickers earn nothing\n- at most {cap} activity points a day\n- members younger than {newDays} days earn {rate}%\n- at most {dailyEarnCap} points a day from all sources except admin grants; check-in points are not limited by it',
  },
  'activity.today': { 'zh-CN': '你今天的活跃积分：{points}/{cap}', en: 'Your activity points today: {points}/{cap}' },

  'quiet.describe': { 'zh-CN': '免打扰：不再接收沉默提醒（发送「免打扰 关」恢复）', en: 'Opt out of come-back reminders (quiet off to undo)' },
  'choice.mode.on': { 'zh-CN': '开', en: 'on' },
  'choice.mode.off': { 'zh-CN': '关', en: 'off' },
  'quiet.arg.mode': { 'zh-CN': '开（免打扰）或 关（恢复提醒）', en: 'on (no reminders) or off (reminders again)' },
  'quiet.on': { 'zh-CN': '🔕 已开启免打扰，不会再收到沉默提醒。发送「免打扰 关」可恢复。', en: '🔕 Quiet mode on: no more come-back reminders. Send /quiet off to undo.' },
  'quiet.off': { 'zh-CN': '🔔 已关闭免打扰。', en: '🔔 Quiet mode off.' },

  'stats.members.describe': { 'zh-CN': '成员分层与沉默提醒效果（管理员）', en: 'Member segments and nudge effect (admin)' },
  'stats.farming.describe': { 'zh-CN': '近 7 天频繁触顶的成员（管理员）', en: 'Members who hit the caps on most of the last 7 days (admin)' },
  'stats.membersTitle': { 'zh-CN': '👥 成员分层（{day}）', en: '👥 Member segments ({day})' },
  'stats.segments': {
    'zh-CN': '新成员 {new} · 活跃 {active} · 核心 {core} · 沉默 {silent} · 流失 {churned} · 其他 {casual}',
    en: 'new {new} · active {active} · core {core} · silent {silent} · churned {churned} · other {casual}',
  },
  'stats.nudges': { 'zh-CN': '近 30 天沉默提醒 {nudged} 人次，其中 {returned} 人次在 {days} 天内回来（{rate}%）。', en: 'Last 30 days: {nudged} nudge(s), {returned} came back within {days} days ({rate}%).' },
  'stats.transitions': {
    'zh-CN': '近 7 天：沉默成员回来 {cameBack} 人次，新成员转为活跃 {newActive} 人次，活跃成员转为沉默 {wentSilent} 人次。',
    en: 'Last 7 days: {cameBack} silent member(s) came back, {newActive} new member(s) became active, {wentSilent} active member(s) went silent.',
  },
  'stats.activeMeansInteracted': {
    'zh-CN': 'ℹ️ 这里机器人只能看到 @ 它的消息、指令和进退群：「活跃」指与机器人互动（指令、签到、@机器人、按钮），只聊天不 @ 机器人的成员会显示为沉默；发言率无法统计。',
    en: 'ℹ️ Here the bot sees only messages that mention it, commands, and joins and leaves: "active" means interacted with the bot (a command, a check-in, an @-mention, a button); members who chat without mentioning the bot look silent, and the speaking rate cannot be measured.',
  },
  'stats.nudgesOffMentionOnly': {
    'zh-CN': '因此这里默认不发沉默提醒，运营者可以在配置文件里打开。',
    en: 'So silent-member nudges are off here by default (lifecycle.nudges.onMentionOnlyPlatforms turns them on).',
  },
  'stats.nudgesOnMentionOnly': {
    'zh-CN': '沉默提醒在这里已按配置打开，可能会提醒其实在聊天的成员。',
    en: 'Silent-member nudges are on here by configuration and may nudge members who do chat.',
  },
  'stats.farmingTitle': { 'zh-CN': '🚩 近 7 天触顶 ≥ {days} 天的成员', en: '🚩 Members at the cap on ≥ {days} of the last 7 days' },
  'stats.farmingRow': { 'zh-CN': '{name}：{days} 天', en: '{name}: {days} day(s)' },
  'stats.farmingNone': { 'zh-CN': '近 7 天没有频繁触顶的成员。', en: 'Nobody hit the caps that often in the last 7 days.' },
  'accept.describe': { 'zh-CN': '确认已阅读并接受群规', en: 'Confirm you have read and accept the community rules' },
  'lifecycle.acceptButton': { 'zh-CN': '我已阅读并接受群规', en: 'I accept the rules' },
  'lifecycle.rulesAccepted': { 'zh-CN': '✅ 谢谢！已记录你接受了群规。', en: '✅ Thanks! Your acceptance of the rules is recorded.' },
  'lifecycle.rulesAlready': { 'zh-CN': '你之前已经接受过群规了。', en: 'You accepted the rules before.' },
  'lifecycle.rulesReminder': { 'zh-CN': '{mention} 提醒一下：请阅读群规，并点击下方按钮（或发送 /accept）确认接受。', en: '{mention} a friendly reminder: please read the community rules and confirm with the button below (or /accept).' },

  'rules.describe': { 'zh-CN': '查看本群群规', en: 'The community rules' },
  'rules.show.describe': { 'zh-CN': '查看本群群规', en: 'Show the community rules' },
  'rules.set.describe': { 'zh-CN': '设置群规，可多行（管理员）', en: 'Set the rules, several lines allowed (admin)' },
  'rules.clear.describe': { 'zh-CN': '清除用指令设置的群规（管理员）', en: 'Clear the rules set by command (admin)' },
  'rules.welcome.describe': { 'zh-CN': '查看或设置本群欢迎语（管理员）', en: 'Show or set the welcome text (admin)' },
  'rules.arg.text': { 'zh-CN': '群规内容，可多行（斜杠指令里用 \\n 换行）', en: 'the rules, several lines allowed (\\n for a line break in slash commands)' },
  'rules.arg.welcome': { 'zh-CN': '欢迎语，可用 {mention} {community} {bonus}；「重置」恢复默认', en: 'the welcome text with {mention} {community} {bonus}; "reset" restores the default' },
  'rules.title': { 'zh-CN': '📜 {community}群规', en: '📜 Rules of {community}' },
  'rules.none': { 'zh-CN': '本群还没有设置群规。', en: 'No rules have been set here yet.' },
  'rules.noneAdmin': { 'zh-CN': '管理员可以发送「群规 设置 <内容>」设置群规（可多行）。', en: 'Admins set them with /rules set <text> (several lines allowed).' },
  'rules.saved': { 'zh-CN': '✅ 群规已更新（{lines} 行），欢迎语会显示前 3 行。', en: '✅ Rules saved ({lines} line(s)); welcomes show the first 3.' },
  'rules.cleared': { 'zh-CN': '✅ 已清除用指令设置的群规，配置文件中的群规（如有）重新生效。', en: '✅ The rules set by command are cleared; the configured rules (if any) apply again.' },
  'rules.nothingToClear': { 'zh-CN': '没有用指令设置过群规，没有可清除的内容。', en: 'No rules were set by command; nothing to clear.' },
  'rules.welcomeSaved': { 'zh-CN': '✅ 欢迎语已更新，预览：\n{preview}', en: '✅ Welcome text saved. Preview:\n{preview}' },
  'rules.welcomeReset': { 'zh-CN': '✅ 已恢复默认欢迎语。', en: '✅ The default welcome is back.' },
  'rules.welcomeNothingToReset': { 'zh-CN': '欢迎语没有用指令修改过，已经是默认的了。', en: 'The welcome text was not changed by command; it is already the default.' },
  'rules.welcomeCurrent': {
    'zh-CN': '当前欢迎语：\n{text}\n\n可用占位符：{placeholders}。发送「群规 欢迎语 <内容>」修改，「群规 欢迎语 重置」恢复默认。',
    en: 'Current welcome text:\n{text}\n\nPlaceholders: {placeholders}. /rules welcome <text> changes it, /rules welcome reset restores the default.',
  },
  'rules.nudge.describe': { 'zh-CN': '查看或设置本群沉默提醒语（管理员）', en: 'Show or set the silent-member nudge (admin)' },
  'rules.arg.nudge': { 'zh-CN': '沉默提醒语，必须含 {mentions}；「重置」恢复默认', en: 'the nudge text, with {mentions}; "reset" restores the default' },
  'rules.nudgeSaved': { 'zh-CN': '✅ 沉默提醒语已更新，预览：\n{preview}', en: '✅ Nudge text saved. Preview:\n{preview}' },
  'rules.nudgeReset': { 'zh-CN': '✅ 已恢复默认沉默提醒语。', en: '✅ The default nudge is back.' },
  'rules.nudgeNothingToReset': { 'zh-CN': '沉默提醒语没有用指令修改过，已经是默认的了。', en: 'The nudge text was not changed by command; it is already the default.' },
  'rules.nudgeCurrent': {
    'zh-CN': '当前沉默提醒语：\n{text}\n\n可用占位符：{placeholders}（必须包含）。发送「群规 提醒语 <内容>」修改，「群规 提醒语 重置」恢复默认。',
    en: 'Current nudge text:\n{text}\n\nPlaceholders: {placeholders} (required). /rules nudge <text> changes it, /rules nudge reset restores the default.',
  },
  'arg.tip': { 'zh-CN': '哪一条', en: 'tip' },
  'rules.tip.describe': { 'zh-CN': '查看或设置本群新人引导语（管理员）', en: 'Show or set a newcomer tip (admin)' },
  'rules.arg.tip': { 'zh-CN': '哪一条：签到、聊天、连签、积分', en: 'which tip: checkin, chat, streak, points' },
  'rules.arg.tipText': { 'zh-CN': '引导语，可含 {mention}；「重置」恢复默认', en: 'the tip, may contain {mention}; "reset" restores the default' },
  'choice.tip.checkin': { 'zh-CN': '签到', en: 'checkin' },
  'choice.tip.chat': { 'zh-CN': '聊天', en: 'chat' },
  'choice.tip.streak': { 'zh-CN': '连签', en: 'streak' },
  'choice.tip.points': { 'zh-CN': '积分', en: 'points' },
  'rules.tipCurrent': {
    'zh-CN': '当前新人引导语：\n{text}\n\n可用占位符：{placeholders}。发送「群规 引导语 <哪一条> <内容>」修改，「群规 引导语 <哪一条> 重置」恢复默认。',
    en: 'Current newcomer tip:\n{text}\n\nPlaceholders: {placeholders}. /rules tip <which> <text> changes it, /rules tip <which> reset restores the default.',
  },
  'rules.tipBuiltIn': { 'zh-CN': '（内置引导语）', en: '(the built-in tip)' },
  'rules.tipSaved': { 'zh-CN': '✅ 新人引导语已更新，预览：\n{preview}', en: '✅ Newcomer tip saved. Preview:\n{preview}' },
  'rules.tipReset': { 'zh-CN': '✅ 已恢复默认新人引导语。', en: '✅ The default tip is back.' },
  'rules.tipNothingToReset': { 'zh-CN': '这条引导语没有用指令修改过，已经是默认的了。', en: 'This tip was not changed by command; it is already the default.' },
  'rules.tipUnknownPlaceholder': {
    'zh-CN': '引导语里有不认识的占位符 {unknown}，只能用 {placeholders}。引导语没有修改。',
    en: 'Unknown placeholder {unknown} in the tip; only {placeholders} can be used. Nothing was changed.',
  },
  'rules.nudgeBuiltIn': { 'zh-CN': '（内置提醒语）', en: '(the built-in nudge)' },
  'rules.nudgeUnknownPlaceholder': {
    'zh-CN': '提醒语里有不认识的占位符 {unknown}，只能用 {placeholders}。提醒语没有修改。',
    en: 'Unknown placeholder {unknown} in the nudge text; only {placeholders} can be used. Nothing was changed.',
  },
  'rules.nudgeNeedsMentions': {
    'zh-CN': '提醒语必须包含 {missing}，否则被提醒的人收不到提及。提醒语没有修改。',
    en: 'The nudge text must contain {missing}, or the members it reminds are not mentioned. Nothing was changed.',
  },
  'rules.welcomeBuiltIn': { 'zh-CN': '（内置欢迎语）', en: '(the built-in welcome)' },
  'rules.unknownPlaceholder': {
    'zh-CN': '欢迎语里有不认识的占位符 {unknown}，只能用 {placeholders}。欢迎语没有修改。',
    en: 'Unknown placeholder {unknown} in the welcome text; only {placeholders} can be used. Nothing was changed.',
  },
  'lifecycle.welcomeRulesTitle': { 'zh-CN': '📜 群规：', en: '📜 House rules:' },
  'lifecycle.welcomeRulesMore': { 'zh-CN': '……发送 /群规 查看全部', en: '… send /rules to read them all' },
  'lifecycle.gate.points': { 'zh-CN': '请先接受群规（发送 /accept 或点「接受群规」），之后签到、答题才能得积分。', en: 'Please accept the rules first (/accept, or the button): points for check-ins and quizzes start after that.' },
  'lifecycle.gate.lotteries': { 'zh-CN': '请先接受群规（发送 /accept 或点「接受群规」），之后才能参加抽奖。', en: 'Please accept the rules first (/accept, or the button) to join lotteries.' },
  'lifecycle.gate.reminder': { 'zh-CN': '你还没有接受群规，发言暂时不能得积分。发送 /accept 接受群规后就可以了。', en: 'You have not accepted the rules yet, so chatting earns no points for now. Send /accept to accept them.' },
  'lifecycle.gate.reminderPublic': { 'zh-CN': '{mention} 接受群规（/accept）后发言、签到才能得积分。', en: '{mention} accept the rules (/accept) to earn points for chatting and check-ins.' },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    lifecycle: typeof lifecycleMessages;
  }
}
