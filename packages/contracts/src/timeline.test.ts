import { describe, expect, it } from 'vitest';
import { emojiSchema, reactionPayloadSchema } from './index.js';

describe('reaction emoji', () => {
  it('takes one Unicode emoji: plain, with a variation selector or skin tone, ZWJ sequences, flags, keycaps', () => {
    for (const emoji of ['👍', '❤️', '👍🏽', '👩‍💻', '👨‍👩‍👧', '🇫🇷', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '©️']) expect(emojiSchema.safeParse(emoji).success, emoji).toBe(true);
  });

  it('refuses text, markup, several emoji, control characters and anything long', () => {
    for (const value of ['', 'a', 'lol', ':+1:', '<b>', '👍👍', '👍 ', ' 👍', '👍\u0000', '\u200d', '👍'.repeat(20), 'x'.repeat(10_000)]) {
      expect(emojiSchema.safeParse(value).success, JSON.stringify(value)).toBe(false);
    }
  });

  it('is what reaction payloads carry, with nothing else', () => {
    const valid = { roomId: '3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10', messageId: '42', clientMsgId: '9b2f3c1e-0d7a-4c55-8e21-5b6a7c8d9e0f', emoji: '🎉' };
    expect(reactionPayloadSchema.safeParse(valid).success).toBe(true);
    expect(reactionPayloadSchema.safeParse({ ...valid, userId: valid.clientMsgId }).success).toBe(false);
  });
});
