/**
 * Native polls in FakeDiscord: Create Message with a `poll` (validated like Discord: 400 / 50035 with the
 * field errors), the poll kept on the message in its API shape (answer ids 1…n, expiry, results), votes sent to
 * the bot as MESSAGE_POLL_VOTE_ADD / _REMOVE (GuildMessagePolls intent; a single-choice poll takes the old
 * answer back first, as Discord does), and POST /channels/:cid/polls/:mid/expire.
 *
 *   fake.polls.vote({ messageId, userId, answerId, remove? }): { payloads, results }  // one member's click
 *   fake.polls.resend(payload): DispatchResult        // the same vote dispatched again (another copy of it)
 *   fake.polls.pollOf(messageId): Json | undefined     // the poll as Discord would return it
 *   fake.polls.expired(messageId): boolean
 *
 * fake-discord.ts registers it in a few lines (its constructor, createChannelMessage and the routes).
 */
import { isObject } from './payloads.js';
import type { DispatchResult, Json } from './types.js';

/** Not in payloads.ts's Intent list (not privileged). */
export const GUILD_MESSAGE_POLLS = 1 << 24;

export const POLL_LIMITS = { question: 300, answers: 10, answer: 55, maxHours: 768, defaultHours: 24 } as const;

interface PollReply {
  status: number;
  body?: unknown;
}

export interface FakePollsHost {
  message(id: string): Json | undefined;
  store(message: Json): void;
  guildOfChannel(channelId: string): string | null;
  dispatch(intent: number, t: string, d: unknown): DispatchResult;
}

interface PollState {
  messageId: string;
  channelId: string;
  multiselect: boolean;
  answerIds: number[];
  /** answer id → user ids. */
  voters: Map<number, Set<string>>;
  expiresAt: number;
  expired: boolean;
}

export interface VotePayload {
  t: 'MESSAGE_POLL_VOTE_ADD' | 'MESSAGE_POLL_VOTE_REMOVE';
  d: { user_id: string; channel_id: string; message_id: string; guild_id?: string; answer_id: number };
}

function formError(errors: Json, path: readonly (string | number)[], code: string, message: string): void {
  let node = errors;
  for (const key of path) {
    const child = node[String(key)];
    if (isObject(child)) node = child;
    else {
      const created: Json = {};
      node[String(key)] = created;
      node = created;
    }
  }
  node._errors = [...(Array.isArray(node._errors) ? (node._errors as unknown[]) : []), { code, message }];
}

function textLength(errors: Json, path: (string | number)[], value: unknown, max: number): void {
  if (typeof value !== 'string' || value.length < 1) formError(errors, path, 'BASE_TYPE_REQUIRED', 'This field is required');
  else if (value.length > max) formError(errors, path, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${max} in length.`);
}

/** Discord's checks of a poll create request; null when it is fine. */
export function validatePoll(poll: unknown): Json | null {
  const errors: Json = {};
  if (!isObject(poll)) {
    formError(errors, ['poll'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return errors;
  }
  textLength(errors, ['poll', 'question', 'text'], isObject(poll.question) ? poll.question.text : undefined, POLL_LIMITS.question);
  if (!Array.isArray(poll.answers) || poll.answers.length < 1) formError(errors, ['poll', 'answers'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else {
    if (poll.answers.length > POLL_LIMITS.answers) formError(errors, ['poll', 'answers'], 'BASE_TYPE_MAX_LENGTH', `Must be ${POLL_LIMITS.answers} or fewer in length.`);
    poll.answers.forEach((answer: unknown, i) => {
      const media = isObject(answer) && isObject(answer.poll_media) ? answer.poll_media : undefined;
      textLength(errors, ['poll', 'answers', i, 'poll_media', 'text'], media?.text, POLL_LIMITS.answer);
    });
  }
  if (poll.duration !== undefined && (!Number.isInteger(poll.duration) || (poll.duration as number) < 1 || (poll.duration as number) > POLL_LIMITS.maxHours)) {
    formError(errors, ['poll', 'duration'], 'NUMBER_TYPE_MAX', `int value should be between 1 and ${POLL_LIMITS.maxHours}.`);
  }
  if (poll.allow_multiselect !== undefined && typeof poll.allow_multiselect !== 'boolean') formError(errors, ['poll', 'allow_multiselect'], 'BASE_TYPE_BAD_TYPE', 'Must be a boolean.');
  if (poll.layout_type !== undefined && poll.layout_type !== 1) formError(errors, ['poll', 'layout_type'], 'ENUM_TYPE_COERCE', 'Value is not a valid enum value.');
  return Object.keys(errors).length > 0 ? errors : null;
}

export class FakePolls {
  private readonly polls = new Map<string, PollState>();
  /** Every expire request that ended a poll, by message id. */
  readonly expiredBy: string[] = [];

  constructor(private readonly host: FakePollsHost) {}

  /** Create Message: the body's poll errors, or null (no poll, or a valid one). */
  validate(body: Json): Json | null {
    return body.poll === undefined ? null : validatePoll(body.poll);
  }

  /** The created message with its poll in the API's shape; remembered for votes and expiry. */
  attach(message: Json, body: Json): Json {
    if (!isObject(body.poll)) return message;
    const poll = body.poll;
    const answers = (poll.answers as Json[]).map((a, i) => ({ answer_id: i + 1, poll_media: a.poll_media }));
    const hours = typeof poll.duration === 'number' ? poll.duration : POLL_LIMITS.defaultHours;
    const state: PollState = {
      messageId: String(message.id),
      channelId: String(message.channel_id),
      multiselect: poll.allow_multiselect === true,
      answerIds: answers.map((a) => a.answer_id),
      voters: new Map(answers.map((a) => [a.answer_id, new Set<string>()])),
      expiresAt: Date.now() + hours * 3_600_000,
      expired: false,
    };
    this.polls.set(state.messageId, state);
    return { ...message, poll: { question: poll.question, answers, expiry: new Date(state.expiresAt).toISOString(), allow_multiselect: state.multiselect, layout_type: 1, results: this.results(state) } };
  }

  pollOf(messageId: string): Json | undefined {
    const message = this.host.message(messageId);
    return isObject(message?.poll) ? message.poll : undefined;
  }

  expired(messageId: string): boolean {
    return this.polls.get(messageId)?.expired ?? false;
  }

  /**
   * A member clicks an answer (or takes it back, `remove`). In a single-choice poll a click on another
   * answer takes the old one back first (a REMOVE, then the ADD). Throws on an unknown poll or answer, or
   * an ended poll (Discord's client would not let the member vote).
   */
  vote(input: { messageId: string; userId: string; answerId: number; remove?: boolean }): { payloads: VotePayload[]; results: DispatchResult[] } {
    const state = this.polls.get(input.messageId);
    if (!state) throw new Error(`FakePolls.vote: no poll on message ${input.messageId}`);
    if (state.expired || Date.now() >= state.expiresAt) throw new Error(`FakePolls.vote: the poll on ${input.messageId} has ended`);
    const voters = state.voters.get(input.answerId);
    if (!voters) throw new Error(`FakePolls.vote: no answer ${input.answerId}`);
    const payloads: VotePayload[] = [];
    if (input.remove) {
      if (voters.delete(input.userId)) payloads.push(this.payload(state, 'MESSAGE_POLL_VOTE_REMOVE', input.userId, input.answerId));
    } else if (!voters.has(input.userId)) {
      if (!state.multiselect) {
        for (const [answerId, others] of state.voters) {
          if (others.delete(input.userId)) payloads.push(this.payload(state, 'MESSAGE_POLL_VOTE_REMOVE', input.userId, answerId));
        }
      }
      voters.add(input.userId);
      payloads.push(this.payload(state, 'MESSAGE_POLL_VOTE_ADD', input.userId, input.answerId));
    }
    this.refresh(state);
    return { payloads, results: payloads.map((p) => this.host.dispatch(GUILD_MESSAGE_POLLS, p.t, p.d)) };
  }

  /** The same vote dispatched again (a second copy, as a second session of the shard would get it). */
  resend(payload: VotePayload): DispatchResult {
    return this.host.dispatch(GUILD_MESSAGE_POLLS, payload.t, payload.d);
  }

  /** POST /channels/:cid/polls/:mid/expire. */
  expire(params: Record<string, string>): PollReply {
    const message = this.host.message(params.mid ?? '');
    if (!message || message.channel_id !== params.cid) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    const state = this.polls.get(String(message.id));
    if (!state) return { status: 400, body: { message: 'Cannot expire a non-poll message', code: 520006 } };
    if (state.expired || Date.now() >= state.expiresAt) return { status: 400, body: { message: 'Poll expired', code: 520001 } };
    state.expired = true;
    state.expiresAt = Date.now();
    this.expiredBy.push(state.messageId);
    return { status: 200, body: this.refresh(state) };
  }

  private payload(state: PollState, t: VotePayload['t'], userId: string, answerId: number): VotePayload {
    const guildId = this.host.guildOfChannel(state.channelId);
    return { t, d: { user_id: userId, channel_id: state.channelId, message_id: state.messageId, ...(guildId !== null ? { guild_id: guildId } : {}), answer_id: answerId } };
  }

  private results(state: PollState): Json {
    return { is_finalized: state.expired, answer_counts: state.answerIds.map((id) => ({ id, count: state.voters.get(id)?.size ?? 0, me_voted: false })) };
  }

  private refresh(state: PollState): Json {
    const message = this.host.message(state.messageId) as Json;
    const poll = message.poll as Json;
    const updated = { ...message, poll: { ...poll, expiry: new Date(state.expiresAt).toISOString(), results: this.results(state) } };
    this.host.store(updated);
    return updated;
  }
}
