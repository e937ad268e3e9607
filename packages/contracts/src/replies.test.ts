import { describe, expect, it } from 'vitest';
import { findMentions, mentionedUsernames, MENTIONS_MAX, messageSendPayloadSchema, replyExcerpt, REPLY_EXCERPT_MAX, THREAD_PAGE_MAX, threadQuerySchema } from './index.js';

describe('@mentions in a body', () => {
  it('finds @username with the username alphabet, lower-cased, each once, in order', () => {
    expect(mentionedUsernames('@Ben and @cat_2, then @ben again')).toEqual(['ben', 'cat_2']);
    expect(mentionedUsernames('(@ann.b) @ann.b. end')).toEqual(['ann.b']);
  });

  it('ignores email addresses, names too short or too long, and a lone @', () => {
    expect(mentionedUsernames('mail me@example.com or @ab or @ or @@ben')).toEqual([]);
    expect(mentionedUsernames(`@${'a'.repeat(40)}`)).toEqual([]);
  });

  it('gives where each mention is, for highlighting', () => {
    expect(findMentions('hi @ben!')).toEqual([{ start: 3, end: 7, username: 'ben' }]);
  });

  it(`keeps at most ${MENTIONS_MAX} distinct names`, () => {
    const body = Array.from({ length: MENTIONS_MAX + 5 }, (_, index) => `@user${index}`).join(' ');
    expect(mentionedUsernames(body)).toHaveLength(MENTIONS_MAX);
  });
});

describe('replies', () => {
  it('quote at most the first characters of the parent', () => {
    expect(replyExcerpt('x'.repeat(1_000))).toHaveLength(REPLY_EXCERPT_MAX);
    expect(replyExcerpt('short')).toBe('short');
  });

  it('name their parent by message id in message:send, and nothing else is taken', () => {
    const base = { roomId: '3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10', clientMsgId: '9b2f3c1e-0d7a-4c55-8e21-5b6a7c8d9e0f', body: 'yes' };
    expect(messageSendPayloadSchema.safeParse({ ...base, replyTo: '42' }).success).toBe(true);
    for (const replyTo of ['', '-1', '01', '4.2', 42, '9'.repeat(30), '1 OR 1=1']) {
      expect(messageSendPayloadSchema.safeParse({ ...base, replyTo }).success, String(replyTo)).toBe(false);
    }
    expect(messageSendPayloadSchema.safeParse({ ...base, mentions: ['3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10'] }).success).toBe(false);
    expect(messageSendPayloadSchema.safeParse({ ...base, replyQuote: { excerpt: 'forged' } }).success).toBe(false);
  });
});

describe('thread pages', () => {
  it('take one cursor at most, sequence numbers as plain digits and a bounded page size', () => {
    expect(threadQuerySchema.parse({ beforeSeq: '12', limit: '3' })).toEqual({ beforeSeq: 12, limit: 3 });
    expect(threadQuerySchema.parse({ from: 'end' })).toEqual({ from: 'end', limit: 50 });
    const refused = [
      { afterSeq: '1', beforeSeq: '9' },
      { from: 'end', beforeSeq: '9' },
      { beforeSeq: '-1' },
      { beforeSeq: '1e3' },
      { beforeSeq: '9'.repeat(16) },
      { afterSeq: 'abc' },
      { from: 'middle' },
      { limit: String(THREAD_PAGE_MAX + 1) },
      { limit: '0' },
      { cursor: 'abc' },
    ];
    for (const query of refused) expect(threadQuerySchema.safeParse(query).success, JSON.stringify(query)).toBe(false);
  });
});
