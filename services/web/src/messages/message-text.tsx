import { useMemo } from 'react';
import { findMentions } from '@parley/contracts';
import { FormattedText } from './formatted-text';
import { formatMessageText, type MentionSpan } from './message-text-format';

export interface MessageTextProps {
  body: string;
  /** The members the server resolved for this message (user ids). */
  mentions?: readonly string[] | undefined;
  selfId?: string | undefined;
  /** A member's username and shown name, when known. */
  personOf?: ((userId: string) => { username: string; name: string } | undefined) | undefined;
  /** A one-line preview inside a button (reply quotes): no links, code blocks inline. */
  compact?: boolean;
}

interface ResolvedMention extends MentionSpan {
  userId: string;
  username: string;
  name: string;
}

/**
 * A message's text, formatted (message-text-format.ts) and built from React elements only, so
 * nothing in a body is ever read as HTML. Each `@username` the server resolved to a member
 * becomes `@Name`, highlighted (more strongly when it is the reader); names the server did not
 * resolve stay plain text, so the highlight never claims a mention that was not made.
 */
export function MessageText({ body, mentions, selfId, personOf, compact = false }: MessageTextProps) {
  const nodes = useMemo(() => formatMessageText(body, resolveMentions(body, mentions, personOf)), [body, mentions, personOf]);
  return (
    <FormattedText
      nodes={nodes}
      compact={compact}
      renderMention={({ userId, username, name }, _text, key) => (
        <span key={key} className={userId === selfId ? 'mention mention-me' : 'mention'} data-mention={username} title={`@${username}`}>
          {`@${name}`}
        </span>
      )}
    />
  );
}

function resolveMentions(body: string, mentions: MessageTextProps['mentions'], personOf: MessageTextProps['personOf']): ResolvedMention[] {
  if (!mentions || mentions.length === 0 || !personOf) return [];
  const byUsername = new Map<string, { userId: string; name: string }>();
  for (const userId of mentions) {
    const person = personOf(userId);
    if (person) byUsername.set(person.username.toLowerCase(), { userId, name: person.name });
  }
  const resolved: ResolvedMention[] = [];
  for (const found of findMentions(body)) {
    const person = byUsername.get(found.username);
    if (person) resolved.push({ ...found, ...person });
  }
  return resolved;
}
