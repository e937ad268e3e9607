import { findMentions } from '@parley/contracts';

export interface MessageTextProps {
  body: string;
  /** The members the server resolved for this message (user ids). */
  mentions: readonly string[] | undefined;
  selfId: string;
  /** A member's username and shown name, when known. */
  personOf(userId: string): { username: string; name: string } | undefined;
}

/**
 * A message's text with its mentions shown as names: each `@username` the server resolved to a
 * member becomes `@Name`, highlighted (more strongly when it is the reader). Names the server
 * did not resolve stay plain text, so the highlight never claims a mention that was not made.
 */
export function MessageText({ body, mentions, selfId, personOf }: MessageTextProps) {
  if (!mentions || mentions.length === 0) return <>{body}</>;
  const byUsername = new Map<string, { userId: string; name: string }>();
  for (const userId of mentions) {
    const person = personOf(userId);
    if (person) byUsername.set(person.username.toLowerCase(), { userId, name: person.name });
  }
  const parts: Array<string | { key: number; text: string; userId: string; username: string }> = [];
  let at = 0;
  for (const found of findMentions(body)) {
    const person = byUsername.get(found.username);
    if (!person) continue;
    parts.push(body.slice(at, found.start));
    parts.push({ key: found.start, text: `@${person.name}`, userId: person.userId, username: found.username });
    at = found.end;
  }
  parts.push(body.slice(at));
  return (
    <>
      {parts.map((part, index) =>
        typeof part === 'string' ? (
          part
        ) : (
          <span key={`${part.key}-${index}`} className={part.userId === selfId ? 'mention mention-me' : 'mention'} data-mention={part.username} title={`@${part.username}`}>
            {part.text}
          </span>
        ),
      )}
    </>
  );
}
