import { describe, expect, it } from 'vitest';
import { WecomProtocolError, type WecomProtocolErrorReason } from '../../src/platforms/wecom/errors.js';
import {
  WECOM_MARKDOWN_MAX_BYTES,
  WECOM_STREAM_MAX_BYTES,
  WECOM_TEXT_MAX_BYTES,
  aibotMarkdown,
  appText,
  appTextReplyXml,
  splitForWecom,
  streamReply,
  truncateUtf8,
  utf8ByteLength,
  webhookMarkdown,
  webhookText,
} from '../../src/platforms/wecom/outbound.js';
import {
  parseAppEnvelope,
  parseAppXml,
  parseBotBody,
  parseBotEnvelope,
  parseBotPayload,
  stripBotMentions,
} from '../../src/platforms/wecom/protocol.js';

function reasonOf(fn: () => unknown): WecomProtocolErrorReason | 'no-error' | 'other-error' {
  try {
    fn();
    return 'no-error';
  } catch (error) {
    return error instanceof WecomProtocolError ? error.reason : 'other-error';
  }
}

const groupText = {
  msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
  aibotid: 'AIBOTID',
  chatid: 'CHATID',
  chattype: 'group',
  from: { userid: 'USERID' },
  response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC',
  msgtype: 'text',
  text: { content: '@RobotA hello robot' },
  quote: { msgtype: 'text', text: { content: '这是今日的测试情况' } },
};

describe('stripBotMentions', () => {
  it('strips the first leading mention when no name is known', () => {
    expect(stripBotMentions('@RobotA hello robot')).toEqual({ text: 'hello robot', mentions: ['RobotA'] });
    expect(stripBotMentions('  @RobotA\u3000签到')).toEqual({ text: '签到', mentions: ['RobotA'] });
    expect(stripBotMentions('@RobotA\u2005/points')).toEqual({ text: '/points', mentions: ['RobotA'] });
    expect(stripBotMentions('@RobotA @Alice gift 10')).toEqual({ text: '@Alice gift 10', mentions: ['RobotA'] });
    expect(stripBotMentions('hello')).toEqual({ text: 'hello', mentions: [] });
    expect(stripBotMentions('@RobotA')).toEqual({ text: '', mentions: ['RobotA'] });
  });

  it('strips every leading and a trailing mention of the known bot names, with spaces in names', () => {
    const names = ['小助手', 'Qun Bot'];
    expect(stripBotMentions('@小助手\u3000@小助手 签到', names)).toEqual({ text: '签到', mentions: ['小助手', '小助手'] });
    expect(stripBotMentions('@Qun Bot /checkin', names)).toEqual({ text: '/checkin', mentions: ['Qun Bot'] });
    expect(stripBotMentions('签到 @小助手', names)).toEqual({ text: '签到', mentions: ['小助手'] });
    expect(stripBotMentions('@小助手 gift @Alice 10', names)).toEqual({ text: 'gift @Alice 10', mentions: ['小助手'] });
    expect(stripBotMentions('@Alice hi', names)).toEqual({ text: '@Alice hi', mentions: [] });
    expect(stripBotMentions('@小助手们 hi', names)).toEqual({ text: '@小助手们 hi', mentions: [] });
    expect(stripBotMentions('mail@小助手', names)).toEqual({ text: 'mail@小助手', mentions: [] });
  });
});

describe('parseBotPayload (intelligent bot JSON)', () => {
  it('parses a group text message, stripping the mention and keeping the quote', () => {
    const message = parseBotPayload(JSON.stringify(groupText));
    expect(message).toEqual({
      kind: 'text',
      dedupeKey: groupText.msgid,
      msgId: groupText.msgid,
      aibotId: 'AIBOTID',
      chatType: 'group',
      chatId: 'CHATID',
      conversationId: 'CHATID',
      from: { userId: 'USERID' },
      responseUrl: groupText.response_url,
      text: 'hello robot',
      rawText: '@RobotA hello robot',
      mentions: ['RobotA'],
      quote: { msgtype: 'text', text: '这是今日的测试情况', imageUrls: [] },
    });
  });

  it('parses a single-chat text (no chatid): the conversation is the user', () => {
    const { chatid: _chatid, quote: _quote, ...rest } = groupText;
    const message = parseBotBody({ ...rest, chattype: 'single', text: { content: '签到' } });
    expect(message).toMatchObject({ kind: 'text', chatType: 'single', conversationId: 'USERID', text: '签到', mentions: [] });
    expect(message).not.toHaveProperty('chatId');
  });

  it('concatenates the text items of a mixed message and collects images', () => {
    const message = parseBotBody(
      {
        ...groupText,
        msgtype: 'mixed',
        text: undefined,
        mixed: {
          msg_item: [
            { msgtype: 'text', text: { content: '@机器人 这是今日的测试情况' } },
            { msgtype: 'image', image: { url: 'https://img/1' } },
            { msgtype: 'text', text: { content: '第二行' } },
          ],
        },
      },
      { botNames: ['机器人'] },
    );
    expect(message).toMatchObject({ kind: 'mixed', text: '这是今日的测试情况\n第二行', mentions: ['机器人'], imageUrls: ['https://img/1'] });
  });

  it('parses a stream poll callback', () => {
    const message = parseBotBody({ ...groupText, msgtype: 'stream', text: undefined, stream: { id: 'STREAMID' } });
    expect(message).toMatchObject({ kind: 'stream-poll', streamId: 'STREAMID', dedupeKey: groupText.msgid, chatId: 'CHATID' });
  });

  it('parses enter_chat, and keeps the events the bot does not act on unparsed, with their dedupe key', () => {
    const base = { msgid: 'EV1', create_time: 1700000000, aibotid: 'AIBOTID', from: { corpid: 'wpxxxx', userid: 'USERID' }, msgtype: 'event' };
    expect(parseBotBody({ ...base, event: { eventtype: 'enter_chat' } })).toEqual({
      kind: 'event',
      dedupeKey: 'EV1',
      msgId: 'EV1',
      aibotId: 'AIBOTID',
      chatType: 'single',
      conversationId: 'USERID',
      from: { userId: 'USERID', corpId: 'wpxxxx' },
      createTime: 1700000000,
      event: { type: 'enter_chat' },
    });
    const card = parseBotBody({
      ...base,
      chatid: 'CHATID',
      chattype: 'group',
      event: {
        eventtype: 'template_card_event',
        template_card_event: {
          card_type: 'vote_interaction',
          event_key: 'button_replace_text',
          task_id: 'T1',
          selected_items: { selected_item: [{ question_key: 'q1', option_ids: { option_id: ['one', 'two'] } }] },
        },
      },
    });
    expect(card).toMatchObject({ kind: 'event', dedupeKey: 'EV1', chatId: 'CHATID', event: { type: 'other', eventType: 'template_card_event', data: { card_type: 'vote_interaction' } } });
    // A shape the bot would not understand is no reason to refuse an event it ignores.
    expect(parseBotBody({ ...base, event: { eventtype: 'template_card_event', template_card_event: 'garbage' } })).toMatchObject({
      event: { type: 'other', eventType: 'template_card_event', data: 'garbage' },
    });
    const feedback = parseBotBody({
      ...base,
      event: { eventtype: 'feedback_event', feedback_event: { id: 'FB', type: 2, content: '能再详细一些么', inaccurate_reason_list: [2, 4] } },
    });
    expect(feedback).toMatchObject({ event: { type: 'other', eventType: 'feedback_event', data: { id: 'FB' } } });
    expect(parseBotBody({ ...base, event: { eventtype: 'future_event', future_event: { a: 1 } } })).toMatchObject({
      event: { type: 'other', eventType: 'future_event', data: { a: 1 } },
    });
  });

  it('keeps unknown message types as unsupported, and parses media', () => {
    expect(parseBotBody({ ...groupText, msgtype: 'location', text: undefined })).toMatchObject({ kind: 'unsupported', msgtype: 'location' });
    expect(parseBotBody({ ...groupText, msgtype: 'image', image: { url: 'https://img/2', aeskey: 'AK' } })).toMatchObject({
      kind: 'image',
      url: 'https://img/2',
      aesKey: 'AK',
    });
    expect(parseBotBody({ ...groupText, msgtype: 'voice', voice: { content: ' 语音转文字 ' } })).toMatchObject({ kind: 'voice', text: '语音转文字' });
  });

  it('refuses malformed JSON and bodies that do not match the documented shape', () => {
    expect(reasonOf(() => parseBotPayload('{"msgid":'))).toBe('bad-payload');
    expect(reasonOf(() => parseBotPayload('null'))).toBe('bad-payload');
    expect(reasonOf(() => parseBotBody({ ...groupText, msgid: undefined }))).toBe('bad-payload');
    expect(reasonOf(() => parseBotBody({ ...groupText, from: {} }))).toBe('bad-payload');
    expect(reasonOf(() => parseBotBody({ ...groupText, text: undefined }))).toBe('bad-payload');
    expect(reasonOf(() => parseBotBody({ ...groupText, text: { content: 5 } }))).toBe('bad-payload');
    expect(reasonOf(() => parseBotBody({ ...groupText, msgtype: 'stream', stream: {} }))).toBe('bad-payload');
    expect(reasonOf(() => parseBotBody({ ...groupText, msgtype: 'event', event: {} }))).toBe('bad-payload');
    // An event the bot ignores is not refused for lacking details it would not read.
    expect(parseBotBody({ ...groupText, msgtype: 'event', event: { eventtype: 'feedback_event' } })).toMatchObject({ kind: 'event', event: { type: 'other', eventType: 'feedback_event' } });
  });

  it('reads the encrypted envelope from a string or an object', () => {
    expect(parseBotEnvelope('{"encrypt":"abc"}')).toEqual({ encrypt: 'abc' });
    expect(parseBotEnvelope({ encrypt: 'abc', extra: 1 })).toEqual({ encrypt: 'abc' });
    expect(reasonOf(() => parseBotEnvelope('nope'))).toBe('bad-payload');
    expect(reasonOf(() => parseBotEnvelope({ encrypt: '' }))).toBe('bad-payload');
  });
});

describe('parseAppXml / parseAppEnvelope (self-built app XML)', () => {
  it('parses the outer envelope, with and without AgentID', () => {
    expect(parseAppEnvelope('<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypE+/==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>')).toEqual({
      toUserName: 'wx5823bf96d3bd56c7',
      agentId: '218',
      encrypt: 'RypE+/==',
    });
    expect(parseAppEnvelope('<xml><ToUserName>ww1</ToUserName><Encrypt>abc</Encrypt></xml>')).toEqual({ toUserName: 'ww1', encrypt: 'abc' });
    expect(reasonOf(() => parseAppEnvelope('<xml><ToUserName>ww1</ToUserName></xml>'))).toBe('bad-payload');
  });

  it('parses the official decrypted text message, keeping big ids as strings and CDATA content', () => {
    const xml =
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n' +
      '<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello <b>&amp; ]]></Content>\n' +
      '<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>';
    expect(parseAppXml(xml)).toEqual({
      kind: 'text',
      dedupeKey: 'msg:4561255354251345929',
      msgId: '4561255354251345929',
      toUserName: 'wx5823bf96d3bd56c7',
      fromUserName: 'mycreate',
      createTime: '1409659813',
      agentId: '218',
      content: 'hello <b>&amp; ', // CDATA is kept verbatim (no entity decoding, no trimming)
    });
  });

  const changeXml = (detail: string, items: string, curMemVer = '<CurMemVer><![CDATA[71217227bbd112ecfe3a49c482195cb4]]></CurMemVer>') =>
    '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime>' +
    '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId>' +
    `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[${detail}]]></UpdateDetail><JoinScene>1</JoinScene><QuitScene>0</QuitScene>` +
    `<MemChangeCnt>2</MemChangeCnt>${items}<LastMemVer><![CDATA[9c3f97c2ada667dfb5f6d03308d963e1]]></LastMemVer>${curMemVer}</xml>`;

  it('turns change_external_chat add_member with two members into two joins', () => {
    const event = parseAppXml(changeXml('add_member', '<MemChangeList><Item><![CDATA[wmA]]></Item><Item><![CDATA[wmB]]></Item></MemChangeList>'));
    expect(event).toMatchObject({
      kind: 'external-chat-change',
      dedupeKey: 'extchat:wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA:1403610513:71217227bbd112ecfe3a49c482195cb4',
      chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
      changeType: 'update',
      updateDetail: 'add_member',
      joinScene: 1,
      quitScene: 0,
      memChangeCnt: 2,
      fromUserName: 'sys',
      memberChanges: [
        { chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', userId: 'wmA', kind: 'join' },
        { chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', userId: 'wmB', kind: 'join' },
      ],
    });
  });

  it('handles del_member with one Item, a comma list in CDATA, and other update details', () => {
    const one = parseAppXml(changeXml('del_member', '<MemChangeList><Item>Jack</Item></MemChangeList>'));
    expect(one).toMatchObject({ memberChanges: [{ userId: 'Jack', kind: 'leave' }] });
    const commaList = parseAppXml(changeXml('add_member', '<MemChangeList><![CDATA[wmX,wmY]]></MemChangeList>'));
    expect(commaList).toMatchObject({ memberChanges: [{ userId: 'wmX', kind: 'join' }, { userId: 'wmY', kind: 'join' }] });
    expect(parseAppXml(changeXml('change_name', ''))).toMatchObject({ updateDetail: 'change_name', memberChanges: [] });
  });

  it('falls back to FromUserName+CreateTime+Event (plus the chat) without CurMemVer', () => {
    const event = parseAppXml(changeXml('change_name', '', ''));
    expect(event.dedupeKey).toBe('event:sys:1403610513:change_external_chat:wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA:update:change_name');
  });

  it('returns other events and message types generically', () => {
    const enter = parseAppXml(
      '<xml><ToUserName>ww1</ToUserName><FromUserName>u1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><AgentID>1000002</AgentID></xml>',
    );
    expect(enter).toMatchObject({ kind: 'event', event: 'enter_agent', dedupeKey: 'event:u1:1700000000:enter_agent', fields: { AgentID: '1000002' } });
    const image = parseAppXml(
      '<xml><ToUserName>ww1</ToUserName><FromUserName>u1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>image</MsgType><MsgId>99</MsgId></xml>',
    );
    expect(image).toMatchObject({ kind: 'unsupported', msgType: 'image', dedupeKey: 'msg:99' });
  });

  it('refuses malformed XML, a DOCTYPE, a wrong root and missing fields', () => {
    expect(reasonOf(() => parseAppXml('<xml><ToUserName>a</ToUserName>'))).toBe('bad-payload');
    expect(reasonOf(() => parseAppXml('not xml at all'))).toBe('bad-payload');
    expect(reasonOf(() => parseAppXml(''))).toBe('bad-payload');
    expect(reasonOf(() => parseAppXml('<root><MsgType>text</MsgType></root>'))).toBe('bad-payload');
    expect(reasonOf(() => parseAppXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><FromUserName>&a;</FromUserName></xml>'))).toBe('bad-payload');
    expect(reasonOf(() => parseAppXml('<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>'))).toBe('bad-payload');
    expect(reasonOf(() => parseAppXml('<xml><FromUserName>u</FromUserName><CreateTime>x</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId><Content>a</Content></xml>'))).toBe('bad-payload');
  });
});

describe('splitForWecom', () => {
  const allWithin = (chunks: string[], max: number) => chunks.every((chunk) => utf8ByteLength(chunk) <= max);

  it('keeps short text whole and returns nothing for empty text', () => {
    expect(splitForWecom('hello\nworld', WECOM_TEXT_MAX_BYTES)).toEqual(['hello\nworld']);
    expect(splitForWecom('', WECOM_TEXT_MAX_BYTES)).toEqual([]);
  });

  it('splits on line boundaries by UTF-8 bytes (Chinese is 3 bytes a character)', () => {
    const line = '签'.repeat(100); // 300 bytes
    const text = Array.from({ length: 20 }, () => line).join('\n'); // 6019 bytes
    const chunks = splitForWecom(text, WECOM_TEXT_MAX_BYTES);
    expect(allWithin(chunks, WECOM_TEXT_MAX_BYTES)).toBe(true);
    expect(chunks).toHaveLength(4); // 6 lines (1805 bytes) fit, a 7th would make 2106: 6 + 6 + 6 + 2
    expect(chunks[0]).toBe(Array.from({ length: 6 }, () => line).join('\n'));
    expect(chunks.join('\n')).toBe(text);
  });

  it('cuts an over-long line between characters, never inside one', () => {
    const text = '中'.repeat(1000); // 3000 bytes, one line
    const chunks = splitForWecom(text, WECOM_TEXT_MAX_BYTES);
    expect(chunks.map(utf8ByteLength)).toEqual([2046, 954]);
    expect(chunks.join('')).toBe(text);
    expect(chunks.every((chunk) => !chunk.includes('\uFFFD'))).toBe(true);
  });

  it('keeps emoji (4-byte and ZWJ sequences) intact', () => {
    const family = '👨‍👩‍👧'; // 18 bytes
    const text = `${'🎉'.repeat(5)}${family}${'a'.repeat(3)}`; // 20 + 18 + 3
    const chunks = splitForWecom(text, 22);
    expect(allWithin(chunks, 22)).toBe(true);
    expect(chunks).toEqual(['🎉🎉🎉🎉🎉', `${family}aaa`]);
    expect(splitForWecom('🎉🎉', 5)).toEqual(['🎉', '🎉']);
    // A single grapheme larger than the limit falls back to code points.
    expect(splitForWecom(family, 8)).toEqual(['👨\u200d', '👩\u200d', '👧']);
  });

  it('packs the rest of a cut line with the following lines and drops blank-only chunks', () => {
    expect(splitForWecom('aaaaaa\nb', 4)).toEqual(['aaaa', 'aa\nb']);
    expect(splitForWecom('aaaaaa\nbb', 4)).toEqual(['aaaa', 'aa', 'bb']); // a line that fits is never cut
    expect(splitForWecom('aaaa\n\n\nbbbb', 4)).toEqual(['aaaa', 'bbbb']);
  });

  it('respects the markdown limit', () => {
    const text = Array.from({ length: 50 }, (_, i) => `- 第${i}行 ${'内容'.repeat(30)}`).join('\n');
    const chunks = splitForWecom(text, WECOM_MARKDOWN_MAX_BYTES);
    expect(chunks.length).toBeGreaterThan(1);
    expect(allWithin(chunks, WECOM_MARKDOWN_MAX_BYTES)).toBe(true);
    expect(chunks.join('\n')).toBe(text);
  });

  it('refuses limits too small for a character', () => {
    expect(() => splitForWecom('x', 3)).toThrow(RangeError);
  });
});

describe('reply and sender bodies', () => {
  it('streamReply builds the stream body and caps content at 20480 bytes', () => {
    expect(streamReply('s1', '**hi**', false)).toEqual({ msgtype: 'stream', stream: { id: 's1', finish: false, content: '**hi**' } });
    const capped = streamReply('s1', '长'.repeat(8000), true).stream.content;
    expect(utf8ByteLength(capped)).toBeLessThanOrEqual(WECOM_STREAM_MAX_BYTES);
    expect(capped.endsWith('…')).toBe(true);
  });

  it('webhook text carries mentioned_list; markdown uses <@userid>', () => {
    expect(webhookText('hi', ['u1', '@all'])).toEqual({ msgtype: 'text', text: { content: 'hi', mentioned_list: ['u1', '@all'] } });
    expect(webhookText('hi')).toEqual({ msgtype: 'text', text: { content: 'hi' } });
    expect(webhookMarkdown('**hi**', ['u1'])).toEqual({ msgtype: 'markdown', markdown: { content: '**hi**\n<@u1>' } });
    expect(aibotMarkdown('x')).toEqual({ msgtype: 'markdown', markdown: { content: 'x' } });
    expect(appText(1000002, ['u1', 'u2'], 'hi')).toEqual({ touser: 'u1|u2', msgtype: 'text', agentid: 1000002, text: { content: 'hi' }, safe: 0 });
  });

  it('appTextReplyXml is parseable back', () => {
    const xml = appTextReplyXml('u1', 'ww1', 1700000000, 'a ]]> b');
    expect(parseAppXml(xml.replace('<MsgType>', '<MsgId>1</MsgId><MsgType>'))).toMatchObject({ kind: 'text', content: 'a ]]> b', fromUserName: 'ww1' });
  });

  it('truncateUtf8 cuts on character boundaries', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('中文字符', 9)).toBe('中文…');
    expect(truncateUtf8('中文字符', 9, '')).toBe('中文字');
  });
});
