import type { PublicProfile } from '@parley/contracts';

/** Suggestions shown at once. */
const SUGGESTIONS_MAX = 6;

/** The `@name` being typed just before the caret, if any: where it starts and what is typed so far. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^a-z0-9_.@])@([a-z0-9_.]{0,32})$/iu.exec(before);
  if (!match) return null;
  return { start: before.length - match[2]!.length - 1, query: match[2]!.toLowerCase() };
}

/** Room members whose username or display name starts with what is typed (the caller left out). */
export function mentionSuggestions(query: string, members: readonly PublicProfile[], selfId: string): PublicProfile[] {
  return members
    .filter((profile) => profile.id !== selfId)
    .filter((profile) => profile.username.toLowerCase().startsWith(query) || (profile.displayName ?? '').toLowerCase().startsWith(query))
    .sort((a, b) => a.username.localeCompare(b.username))
    .slice(0, SUGGESTIONS_MAX);
}

/** The text with the `@name` being typed replaced by the chosen username, and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, username: string): { text: string; caret: number } {
  const inserted = `@${username} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}
