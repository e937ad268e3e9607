import { describe, expect, it } from 'vitest';
import type { PublicProfile } from '@parley/contracts';
import { insertMention, mentionQueryAt, mentionSuggestions } from './mention-suggestions';

const profile = (id: string, username: string, displayName: string | null = null): PublicProfile => ({ id, username, displayName, bio: null, avatarUrl: null, createdAt: '2026-01-01T00:00:00.000Z' });

describe('mention autocomplete', () => {
  it('notices an @name being typed before the caret, not an email address', () => {
    expect(mentionQueryAt('hello @Be', 9)).toEqual({ start: 6, query: 'be' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('me@exa', 6)).toBeNull();
    expect(mentionQueryAt('@ben done', 9)).toBeNull();
  });

  it('offers room members by username or display name, never the writer', () => {
    const members = [profile('1', 'ben', 'Benjamin'), profile('2', 'bea'), profile('3', 'carl', 'Bertie'), profile('self', 'bob')];
    expect(mentionSuggestions('be', members, 'self').map((each) => each.username)).toEqual(['bea', 'ben', 'carl']);
  });

  it('replaces what was typed with the username and a space', () => {
    expect(insertMention('hi @be how', 3, 6, 'ben')).toEqual({ text: 'hi @ben  how', caret: 8 });
  });
});
