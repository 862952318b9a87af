import { describe, expect, it } from 'vitest';
import { customIdSigner } from '../../src/platforms/discord/custom-id.js';
import { LIMITS, renderReply, splitText, TRUNCATED, truncate } from '../../src/platforms/discord/render.js';
import type { Reply } from '../../src/core/reply.js';

const signer = customIdSigner('token');

function embedSize(message: ReturnType<typeof renderReply>): number {
  return message.embeds.reduce(
    (n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}

function withinLimits(message: ReturnType<typeof renderReply>): void {
  expect(message.content?.length ?? 0).toBeLessThanOrEqual(LIMITS.content);
  expect(message.embeds.length).toBeLessThanOrEqual(LIMITS.embeds);
  expect(embedSize(message)).toBeLessThanOrEqual(LIMITS.total);
  for (const embed of message.embeds) {
    expect(embed.title?.length ?? 0).toBeLessThanOrEqual(LIMITS.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(LIMITS.description);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
    for (const field of embed.fields ?? []) {
      expect(field.name.length).toBeGreaterThan(0);
      expect(field.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
      expect(field.value.length).toBeGreaterThan(0);
      expect(field.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    }
  }
  expect(message.components.length).toBeLessThanOrEqual(LIMITS.rows);
  for (const row of message.components) {
    expect(row.components.length).toBeLessThanOrEqual(LIMITS.buttonsPerRow);
    for (const button of row.components) {
      expect('custom_id' in button && button.custom_id.length).toBeLessThanOrEqual(100);
      expect(('label' in button ? (button.label?.length ?? 0) : 0)).toBeLessThanOrEqual(LIMITS.buttonLabel);
    }
  }
}

describe('rendering a Reply for Discord', () => {
  it('sends short plain text as content, with user mentions allowed and @everyone not', () => {
    const message = renderReply({ text: '✅ <@123> checked in! **+10**' }, signer);
    expect(message).toMatchObject({ content: '✅ <@123> checked in! **+10**', embeds: [], allowedMentions: { parse: ['users'], repliedUser: false }, ephemeral: false });
    expect(renderReply({ text: 'hi @everyone' }, signer).allowedMentions.parse).not.toContain('everyone');
  });

  it('prefixes @everyone and allows it only for mentionEveryone', () => {
    const message = renderReply({ text: 'Call tonight', mentionEveryone: true }, signer);
    expect(message.content).toBe('@everyone Call tonight');
    expect(message.allowedMentions.parse).toEqual(['users', 'everyone']);
    const titled = renderReply({ title: 'News', text: 'Call tonight', mentionEveryone: true }, signer);
    expect(titled.content).toBe('@everyone');
    expect(titled.embeds[0]).toMatchObject({ title: 'News', description: 'Call tonight' });
  });

  it('uses an embed for titles and fields, and marks ephemeral replies', () => {
    const message = renderReply({ title: "Alice's points", text: 'Balance: **10**', fields: [{ name: 'Level', value: 'Newcomer', inline: true }], ephemeral: true }, signer);
    expect(message.content).toBeUndefined();
    expect(message.embeds).toEqual([{ title: "Alice's points", description: 'Balance: **10**', fields: [{ name: 'Level', value: 'Newcomer', inline: true }] }]);
    expect(message.ephemeral).toBe(true);
  });

  it('keeps text over 2000 characters in embed descriptions, split at line breaks', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `line ${i} ${'abc '.repeat(10)}`.trim());
    const text = lines.join('\n');
    const message = renderReply({ text }, signer);
    withinLimits(message);
    expect(message.embeds.length).toBe(2);
    expect(message.embeds.map((e) => e.description).join('\n')).toBe(text);
  });

  it('truncates with a marker what does not fit in 6000 characters, 25 fields or the per-field limits', () => {
    const reply: Reply = {
      title: 'T'.repeat(400),
      text: 'word '.repeat(5000),
      fields: Array.from({ length: 40 }, (_, i) => ({ name: i === 0 ? 'n'.repeat(300) : `f${i}`, value: i === 1 ? '' : 'v'.repeat(i === 0 ? 2000 : 50) })),
    };
    const message = renderReply(reply, signer);
    withinLimits(message);
    expect(message.embeds[0]?.title?.endsWith(TRUNCATED)).toBe(true);
    expect(message.embeds[0]?.fields?.[0]?.value.endsWith(TRUNCATED)).toBe(true);
    expect(message.embeds[0]?.fields).toHaveLength(25);
    expect(message.embeds[0]?.fields?.at(-1)).toEqual({ name: TRUNCATED, value: '+16', inline: false });
    expect(message.embeds.at(-1)?.description?.endsWith(TRUNCATED)).toBe(true);
  });

  it('never produces an empty message', () => {
    const message = renderReply({ text: '' }, signer);
    expect(message.content === undefined ? message.embeds.length : 1).toBeGreaterThan(0);
    withinLimits(message);
  });

  it('renders actions as signed buttons, five per row, at most 25, dropping what cannot be signed', () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({ label: `Option ${i} ${'x'.repeat(i === 0 ? 100 : 0)}`, command: `quiz answer ${i}`, style: 'success' as const }));
    actions.push({ label: 'too long', command: 'z'.repeat(200), style: 'success' });
    const message = renderReply({ text: 'Pick one', actions }, signer);
    withinLimits(message);
    expect(message.components).toHaveLength(5);
    const first = message.components[0]?.components[0];
    expect(first).toMatchObject({ type: 2, style: 3 });
    expect(signer.verify((first as { custom_id: string }).custom_id)).toBe('quiz answer 0');
    expect(message.droppedActions).toBe(6);
  });
});

describe('text helpers', () => {
  it('truncate keeps short text and marks cut text, never splitting a surrogate pair', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe(`abc${TRUNCATED}`);
    const cut = truncate('ab😀😀', 4);
    expect(cut.length).toBeLessThanOrEqual(4);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('splitText respects chunk size, chunk count and total budget', () => {
    const chunks = splitText('a '.repeat(10_000), 4096, 6000, 10);
    expect(chunks.every((c) => c.length <= 4096)).toBe(true);
    expect(chunks.join('').length).toBeLessThanOrEqual(6000);
    expect(chunks.at(-1)?.endsWith(TRUNCATED)).toBe(true);
    expect(splitText('short', 4096, 6000, 10)).toEqual(['short']);
    expect(splitText('x'.repeat(50), 10, 1000, 2)).toEqual(['x'.repeat(10), `${'x'.repeat(9)}${TRUNCATED}`]);
  });
});
