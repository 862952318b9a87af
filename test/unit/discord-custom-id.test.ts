import { describe, expect, it } from 'vitest';
import { CUSTOM_ID_MAX, customIdSigner } from '../../src/platforms/discord/custom-id.js';

describe('Discord button custom_id signing', () => {
  const signer = customIdSigner('token-a');

  it('round-trips a command, including dots, spaces and Chinese', () => {
    for (const command of ['checkin', 'lottery join 12', 'quiz answer B.2', '抽奖 参与 3']) {
      const id = signer.sign(command);
      expect(id).toBeDefined();
      expect(id?.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
      expect(signer.verify(id as string)).toBe(command);
    }
  });

  it('refuses a forged, tampered or foreign custom_id', () => {
    const id = signer.sign('lottery join 12') as string;
    expect(signer.verify(id.replace('join 12', 'join 13'))).toBeUndefined();
    expect(signer.verify(`q1.${'A'.repeat(16)}.grant <@1> 1000 x`)).toBeUndefined();
    expect(signer.verify('lottery:join:12')).toBeUndefined();
    expect(signer.verify('')).toBeUndefined();
    expect(signer.verify(`q1.${id.split('.')[1] ?? ''}.`)).toBeUndefined();
    expect(customIdSigner('token-b').verify(id)).toBeUndefined(); // a new token invalidates old buttons
  });

  it('does not sign a command whose custom_id would exceed 100 characters', () => {
    expect(signer.sign('x'.repeat(CUSTOM_ID_MAX))).toBeUndefined();
    const longest = 'y'.repeat(CUSTOM_ID_MAX - 'q1.'.length - 16 - 1);
    expect(signer.verify(signer.sign(longest) as string)).toBe(longest);
  });
});
