import { useMemo, type ReactNode } from 'react';
import { findMentions } from '@parley/contracts';
import { formatMessageText, type FormatNode, type MentionSpan } from './message-text-format';

export interface MessageTextProps {
  body: string;
  /** The members the server resolved for this message (user ids). */
  mentions?: readonly string[] | undefined;
  selfId?: string | undefined;
  /** A member's username and shown name, when known. */
  personOf?: ((userId: string) => { username: string; name: string } | undefined) | undefined;
  /**
   * For one-line previews inside buttons (reply quotes, search results): links stay text and
   * code blocks show as inline code, since neither may sit inside a button.
   */
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
  return <>{renderNodes(nodes, { selfId, compact })}</>;
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

interface RenderOptions {
  selfId: string | undefined;
  compact: boolean;
}

function renderNodes(nodes: ReadonlyArray<FormatNode<ResolvedMention>>, options: RenderOptions): ReactNode[] {
  return nodes.map((node, key) => renderNode(node, key, options));
}

function renderNode(node: FormatNode<ResolvedMention>, key: number, options: RenderOptions): ReactNode {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'strong':
      return <strong key={key}>{renderNodes(node.children, options)}</strong>;
    case 'em':
      return <em key={key}>{renderNodes(node.children, options)}</em>;
    case 'code':
      return <code key={key}>{node.text}</code>;
    case 'code-block':
      return options.compact ? (
        <code key={key}>{node.text}</code>
      ) : (
        <pre key={key} className="message-code-block" dir="ltr">
          <code {...(node.language ? { 'data-language': node.language } : {})}>{node.text}</code>
        </pre>
      );
    case 'link':
      return options.compact ? (
        node.text
      ) : (
        <a key={key} href={node.href} target="_blank" rel="noopener noreferrer" dir="auto">
          {node.text}
        </a>
      );
    case 'mention': {
      const { userId, username, name } = node.mention;
      return (
        <span key={key} className={userId === options.selfId ? 'mention mention-me' : 'mention'} data-mention={username} title={`@${username}`}>
          {`@${name}`}
        </span>
      );
    }
  }
}
