import { describe, expect, it } from 'vitest';
import { testApps, type TestApp } from '../helpers/app.js';

const app = testApps();

interface ApiAnswer {
  status: number;
  duplicate: boolean;
  text: string;
}

/** A message through the playground API, with a client-chosen message id. */
async function post(t: TestApp, body: { communityId: string; userId: string; text: string; messageId: string }): Promise<ApiAnswer> {
  const res = await t.app.http.inject({ method: 'POST', url: '/playground/api/messages', remoteAddress: '127.0.0.1', payload: { userName: body.userId, ...body } });
  const json = res.json() as { duplicate: boolean; replies: Array<{ text: string }> };
  return { status: res.statusCode, duplicate: json.duplicate, text: json.replies.map((r) => r.text).join('\n') };
}

async function balance(t: TestApp, community: string, userId: string): Promise<number | undefined> {
  const row = (await t.app.store.sql
      .prepare<[string, string], { balance: number }>(
        `SELECT p.balance FROM member_points p JOIN member_accounts a ON a.member_id = p.member_id JOIN communities c ON c.id = a.community_id
       WHERE c.external_id = ? AND a.platform_user_id = ?`,
      )
      .get(community, userId));
  return row?.balance;
}

describe('inbound dedupe keys are scoped to the community and the author', () => {
  it('a message id reused in another community is a new message there, and the stored reply stays private', async () => {
    const t = (await app());
    await post(t, { communityId: 'a', userId: 'carol', text: '/checkin', messageId: 'c-1' });
    const grant = await post(t, { communityId: 'a', userId: 'admin', text: '/grant carol 7 helped', messageId: 'm-1' });
    expect(grant.text).toContain('已给 carol 加 7 分');

    // Another community, the same message id: processed as its own message.
    const other = await post(t, { communityId: 'b', userId: 'mallory', text: '/points', messageId: 'm-1' });
    expect(other.duplicate).toBe(false);
    expect(other.text).not.toContain('已给');
    expect(other.text).toContain('积分');

    // An admin's grant in a third community with the same id really awards (its ledger key is scoped too).
    await post(t, { communityId: 'c', userId: 'dave', text: '/checkin', messageId: 'd-1' });
    const grantC = await post(t, { communityId: 'c', userId: 'admin', text: '/grant dave 3 thanks', messageId: 'm-1' });
    expect(grantC.duplicate).toBe(false);
    expect(grantC.text).toContain('已给 dave 加 3 分');
    expect((await balance(t, 'c', 'dave'))).toBe(13);

    // The original author's retry still gets the original reply and no second effect.
    const retry = await post(t, { communityId: 'a', userId: 'admin', text: '/grant carol 7 helped', messageId: 'm-1' });
    expect(retry).toEqual({ ...grant, duplicate: true });
    expect((await balance(t, 'a', 'carol'))).toBe(17);
  });

  it('an id claimed first in another community does not block the original', async () => {
    const t = (await app());
    await post(t, { communityId: 'evil', userId: 'mallory', text: '/points', messageId: 'future-1' });
    await post(t, { communityId: 'a', userId: 'carol', text: '/checkin', messageId: 'c-1' });
    const grant = await post(t, { communityId: 'a', userId: 'admin', text: '/grant carol 7 helped', messageId: 'future-1' });
    expect(grant.duplicate).toBe(false);
    expect(grant.text).toContain('当前余额：17');
    expect((await balance(t, 'a', 'carol'))).toBe(17);
  });

  it('a different member reusing a message id in the same community is refused: no stored reply, no effect', async () => {
    const t = (await app());
    await post(t, { communityId: 'a', userId: 'carol', text: '/checkin', messageId: 'c-1' });
    const grant = await post(t, { communityId: 'a', userId: 'admin', text: '/grant carol 7 helped', messageId: 'm-1' });
    const stolen = await post(t, { communityId: 'a', userId: 'mallory', text: '/grant carol 7 helped', messageId: 'm-1' });
    expect(stolen.status).toBe(200);
    expect(stolen.text).not.toContain('余额');
    expect(stolen.text).toContain('消息编号已被其他成员使用');
    expect((await balance(t, 'a', 'carol'))).toBe(17);
    // Nothing was written for the refused author, not even a member row.
    const mallory = (await t.app.store.sql.prepare("SELECT COUNT(*) AS n FROM member_accounts WHERE platform_user_id = 'mallory'").get()) as { n: number };
    expect(mallory.n).toBe(0);
    // The author's own retry is still answered with the original reply.
    expect((await post(t, { communityId: 'a', userId: 'admin', text: '/grant carol 7 helped', messageId: 'm-1' })).text).toBe(grant.text);
  });
});
