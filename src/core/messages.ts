import type { Catalog } from './i18n.js';

/** Texts of the core: parsing and permission refusals, the apology. */
export const coreMessages = {
  'core.unknownCommand': {
    'zh-CN': '没有「{name}」这个指令。可用指令：{commands}\n发送 /help 查看说明。',
    en: 'There is no command "{name}". Commands: {commands}\nSend /help for details.',
  },
  'core.notUnderstood': {
    'zh-CN': '我没听懂。试试 /签到、/积分、/排行榜，或发送 /help 查看全部指令。',
    en: "I didn't get that. Try /checkin, /points, /leaderboard, or /help for all commands.",
  },
  'core.unknownSubcommand': {
    'zh-CN': '/{command} 没有「{sub}」这个子指令。可用：{subs}',
    en: '/{command} has no subcommand "{sub}". Available: {subs}',
  },
  'core.tooManyArgs': { 'zh-CN': '参数太多了。用法：{usage}', en: 'Too many arguments. Usage: {usage}' },
  'core.missingArg': { 'zh-CN': '缺少参数「{name}」。用法：{usage}', en: 'Missing argument {name}. Usage: {usage}' },
  'core.notAnInteger': {
    'zh-CN': '「{name}」需要一个整数（如 5 或 1,000），收到的是「{value}」。',
    en: '{name} must be a whole number (like 5 or 1,000), got "{value}".',
  },
  'core.noSign': { 'zh-CN': '「{name}」不能带正负号，请直接写数字（如 5），收到的是「{value}」。', en: '{name} takes a number without a sign (like 5), got "{value}".' },
  'core.outOfRange': { 'zh-CN': '「{name}」超出范围（{min} 到 {max}）：{value}', en: '{name} is out of range ({min} to {max}): {value}' },
  'core.badChoice': { 'zh-CN': '「{name}」只能是 {choices}，收到的是「{value}」。', en: '{name} must be one of {choices}, got "{value}".' },
  'core.unknownMember': {
    'zh-CN': '找不到成员「{value}」。请使用对方在本群的完整昵称，或提及对方（对方需要在本群发过言）。',
    en: 'No member "{value}" found. Use their exact display name or mention them (they must have been active here).',
  },
  'core.ambiguousMember': {
    'zh-CN': '「{value}」对应多位成员，请写出完整昵称：\n{candidates}',
    en: '"{value}" matches several members. Use the full display name:\n{candidates}',
  },
  'core.deliveryConflict': {
    'zh-CN': '这条消息的消息编号已被其他成员使用，没有处理。请换一个消息编号重新发送。',
    en: 'This message id was already used by another member; the message was not processed. Send it again with a new message id.',
  },
  'core.badId': {
    'zh-CN': '无法处理：{field}为空、过长或含有空白、控制或不可见字符。什么也没有保存。',
    en: 'Refused: the {field} is empty, too long, or contains spaces, control or invisible characters. Nothing was stored.',
  },
  'core.idField.community': { 'zh-CN': '社群编号', en: 'community id' },
  'core.idField.user': { 'zh-CN': '用户编号', en: 'user id' },
  'core.idField.message': { 'zh-CN': '消息编号', en: 'message id' },
  'core.idField.channel': { 'zh-CN': '频道编号', en: 'channel id' },
  'core.argTooLong': { 'zh-CN': '「{name}」太长了（最多 {max} 个字符）。', en: '{name} is too long (at most {max} characters).' },
  // How arguments are written in usage lines and named in errors (labels: `arg.<name>` in each catalog).
  'core.placeholder': { 'zh-CN': '<{label}>', en: '<{label}>' },
  'core.namedArg': { 'zh-CN': '{label}（{name}=）', en: '{name}=' },
  'arg.member': { 'zh-CN': '成员', en: 'member' },
  'arg.points': { 'zh-CN': '积分', en: 'points' },
  'arg.reason': { 'zh-CN': '原因', en: 'reason' },
  'arg.text': { 'zh-CN': '内容', en: 'text' },
  'arg.id': { 'zh-CN': '编号', en: 'id' },
  'arg.count': { 'zh-CN': '数量', en: 'n' },
  'arg.mode': { 'zh-CN': '模式', en: 'mode' },
  'arg.command': { 'zh-CN': '指令', en: 'command' },
  'arg.webhook': { 'zh-CN': 'Webhook 地址', en: 'webhook' },
  // Times (`when` arguments, parsed by the registry) and cron patterns.
  'time.when.unrecognized': {
    'zh-CN': '看不懂{name}「{input}」。可以写 21:30、明天 9:00、+10m、10分钟后、2026-12-01T20:00。',
    en: 'Cannot read the time "{input}" ({name}). Try 21:30, tomorrow 9:00, +10m or 2026-12-01T20:00.',
  },
  'time.when.missingTime': { 'zh-CN': '「{input}」缺少具体时间，例如「{input} 20:00」。', en: '"{input}" has no time of day; try "{input} 20:00".' },
  'time.when.outOfRange': { 'zh-CN': '时间「{input}」里的{field}不对：{value}', en: 'The {field} in "{input}" is invalid: {value}' },
  'time.when.past': { 'zh-CN': '这个{label}已经过去了：{at}。', en: 'That time is in the past: {at}.' },
  'time.when.tooFar': { 'zh-CN': '最晚只能到 {max}。', en: 'The latest time allowed is {max}.' },
  'time.cron.invalid': { 'zh-CN': 'cron 表达式不对：{field}「{value}」。', en: 'Invalid cron pattern: {field} "{value}".' },
  // Fields of a time (`<when>`) or a cron pattern, named in errors.
  'time.field.month': { 'zh-CN': '月份', en: 'month' },
  'time.field.day': { 'zh-CN': '日期', en: 'day' },
  'time.field.hour': { 'zh-CN': '小时', en: 'hour' },
  'time.field.minute': { 'zh-CN': '分钟', en: 'minute' },
  'time.field.second': { 'zh-CN': '秒', en: 'second' },
  'time.field.offset': { 'zh-CN': '时区偏移', en: 'UTC offset' },
  'time.field.dayOfMonth': { 'zh-CN': '日', en: 'day of month' },
  'time.field.dayOfWeek': { 'zh-CN': '星期', en: 'day of week' },
  'time.field.expression': { 'zh-CN': '表达式', en: 'pattern' },
  'core.adminOnly': { 'zh-CN': '只有管理员可以使用 /{command}。', en: 'Only admins can use /{command}.' },
  'core.rateLimited': { 'zh-CN': '你发得太快了，请 {seconds} 秒后再试。', en: "You're sending commands too fast. Please try again in {seconds} s." },
  'core.internalError': { 'zh-CN': '抱歉，出了点问题，请稍后再试。', en: 'Sorry, something went wrong. Please try again later.' },
} satisfies Catalog;
