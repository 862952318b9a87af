import { describe, expect, it } from 'vitest';
import { maskWebhookKey, webhookKeyHash } from '../../src/platforms/wecom/bindings.js';
import { renderMarkdown, renderPlain, renderReplies } from '../../src/platforms/wecom/senders.js';

describe('rendering a Reply for WeCom', () => {
  it('puts the title in bold, then text, fields and numbered "回复" lines for actions', () => {
    const markdown = renderMarkdown({
      title: '抽奖 #3',
      text: '奖品：键盘',
      fields: [{ name: '参与人数', value: '12' }],
      actions: [
        { label: '参与', command: 'lottery join 3' },
        { label: '查看', command: 'lottery list' },
      ],
    });
    expect(markdown).toBe('**抽奖 #3**\n奖品：键盘\n**参与人数**: 12\n1. 参与：回复 lottery join 3\n2. 查看：回复 lottery list');
  });

  it('leaves the actions out when the text already says what to type (no English command lines inside Chinese)', () => {
    const markdown = renderMarkdown({ text: '奖品：键盘\n回复 参与抽奖 3 参与', actions: [{ label: '参与', command: 'lottery join 3' }], actionsExplained: true });
    expect(markdown).toBe('奖品：键盘\n回复 参与抽奖 3 参与');
  });

  it('keeps <@userid> mentions in markdown and turns them into @name plus mentioned ids in plain text', () => {
    const reply = { text: '恭喜 <@u1> 和 <@u2>，**加油**', mentions: { u1: 'Alice' } };
    expect(renderMarkdown(reply)).toBe('恭喜 <@u1> 和 <@u2>，**加油**');
    expect(renderPlain(reply)).toEqual({ text: '恭喜 @Alice 和 @u2，加油', mentioned: ['u1', 'u2'] });
  });

  it('joins several replies and drops empty ones', () => {
    expect(renderReplies([{ text: 'a' }, { text: '' }, { text: 'b' }])).toBe('a\n\nb');
    expect(renderReplies([])).toBe('');
  });
});

describe('webhook keys', () => {
  const key = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

  it('masks and hashes without revealing the key', () => {
    expect(maskWebhookKey(key)).toBe('693a…5aaa');
    expect(webhookKeyHash(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(webhookKeyHash(key)).not.toContain(key.slice(0, 8));
  });
});
