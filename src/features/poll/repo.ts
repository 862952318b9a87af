import type { Sql } from '../../store/sql.js';
import type { polls } from './schema.js';
import type { RowOf } from '../../store/rows.js';

/** A `SELECT *` row of polls (its type follows the table's definition). */
export type PollRow = RowOf<typeof polls>;

export interface PollTally {
  counts: number[];
  voters: number;
}

export interface NewPoll {
  communityId: number;
  question: string;
  options: string[];
  multi: number;
  anonymous: boolean;
  hideResults: boolean;
  /** 0-based level index a voter needs. */
  minLevel: number;
  endsAt: number | null;
  salt: string | null;
  createdBy: number;
  at: number;
  /** Posted as the platform's own poll, in this channel (undefined: the community's post channel). */
  native: boolean;
  channelId: string | null;
}

export function createPollRepo(sql: Sql) {
  const insert = sql.prepare<[number, string, string, number, number, number, number, number | null, string | null, number, number, number, string | null], { id: number }>(
    `INSERT INTO polls (community_id, question, options_json, multi, anonymous, hide_results, min_level, ends_at, salt, status, created_by, created_at, native, native_channel_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id`,
  );
  const byNativeMessage = sql.prepare<[string], PollRow>('SELECT * FROM polls WHERE native_message_id = ?');
  const unposted = sql.prepare<[], PollRow>("SELECT * FROM polls WHERE status = 'open' AND native = 1 AND native_message_id IS NULL");
  const setNative = sql.prepare<[string, string, string, number]>(
    'UPDATE polls SET native_channel_id = ?, native_message_id = ?, native_answers_json = ? WHERE id = ? AND native = 1 AND native_message_id IS NULL',
  );
  const dropNative = sql.prepare<[number]>('UPDATE polls SET native = 0, native_channel_id = NULL WHERE id = ? AND native = 1 AND native_message_id IS NULL');
  const get = sql.prepare<[number], PollRow>('SELECT * FROM polls WHERE id = ?');
  const listOpen = sql.prepare<[number], PollRow>("SELECT * FROM polls WHERE community_id = ? AND status = 'open' ORDER BY id");
  const timed = sql.prepare<[], PollRow>("SELECT * FROM polls WHERE status = 'open' AND ends_at IS NOT NULL");
  const close = sql.prepare<[string, number, number]>("UPDATE polls SET status = 'closed', results_json = ?, closed_at = ?, salt = NULL WHERE id = ? AND status = 'open'");
  const choices = sql.prepare<[number, string], { option: number }>('SELECT option FROM poll_votes WHERE poll_id = ? AND voter = ? ORDER BY option');
  const addVote = sql.prepare<[number, string, number, number | null, number | null]>('INSERT INTO poll_votes (poll_id, voter, option, member_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const removeVote = sql.prepare<[number, string, number]>('DELETE FROM poll_votes WHERE poll_id = ? AND voter = ? AND option = ?');
  const clearVoter = sql.prepare<[number, string]>('DELETE FROM poll_votes WHERE poll_id = ? AND voter = ?');
  const clearPoll = sql.prepare<[number]>('DELETE FROM poll_votes WHERE poll_id = ?');
  const counts = sql.prepare<[number], { option: number; n: number }>('SELECT option, COUNT(*) AS n FROM poll_votes WHERE poll_id = ? GROUP BY option');
  const voters = sql.prepare<[number], { n: number }>('SELECT COUNT(DISTINCT voter) AS n FROM poll_votes WHERE poll_id = ?');
  return {
    insert: async (p: NewPoll) =>
      ((await insert.get(p.communityId, p.question, JSON.stringify(p.options), p.multi, p.anonymous ? 1 : 0, p.hideResults ? 1 : 0, p.minLevel, p.endsAt, p.salt, p.createdBy, p.at, p.native ? 1 : 0, p.channelId)) as { id: number }).id,
    /** The poll a native poll message stands for. */
    byNativeMessage: (messageId: string) => byNativeMessage.get(messageId),
    /** Open native polls not posted yet: the post timers the reconciler keeps armed. */
    unposted: () => unposted.all(),
    /** Records where the native poll went; false when it was recorded already (or the poll fell back to buttons). */
    setNativeMessage: async (id: number, channelId: string, messageId: string, answerIds: readonly number[]) => (await setNative.run(channelId, messageId, JSON.stringify(answerIds), id)) === 1,
    /** The platform refused the native poll: the poll goes on with buttons. False when it was posted (or dropped) already. */
    dropNative: async (id: number) => (await dropNative.run(id)) === 1,
    get: (id: number) => get.get(id),
    listOpen: (communityId: number) => listOpen.all(communityId),
    /** Open polls with an end time: the timers the reconciler keeps armed. */
    timedOpen: () => timed.all(),
    /** Compare-and-set open → closed, freezing the tally and erasing the salt. False when it was not open. */
    close: async (id: number, tally: PollTally, at: number) => (await close.run(JSON.stringify(tally), at, id)) === 1,
    choices: async (pollId: number, voter: string) => (await choices.all(pollId, voter)).map((r) => r.option),
    addVote: (pollId: number, voter: string, option: number, memberId: number | null, at: number | null) => addVote.run(pollId, voter, option, memberId, at),
    removeVote: (pollId: number, voter: string, option: number) => removeVote.run(pollId, voter, option),
    clearVoter: (pollId: number, voter: string) => clearVoter.run(pollId, voter),
    /** Deletes every vote row of a poll (anonymous polls, at the close). */
    clearPoll: (pollId: number) => clearPoll.run(pollId),
    async tally(pollId: number, options: number): Promise<PollTally> {
      const out = Array.from({ length: options }, () => 0);
      for (const r of await counts.all(pollId)) if (r.option >= 1 && r.option <= options) out[r.option - 1] = r.n;
      return { counts: out, voters: (await voters.get(pollId))?.n ?? 0 };
    },
  };
}

export type PollRepo = ReturnType<typeof createPollRepo>;
