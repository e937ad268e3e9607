import type { SearchSnippet } from '@parley/contracts';
import { FormattedText } from '../messages/formatted-text';
import { formatMessageText, type FormatNode, type MentionSpan } from '../messages/message-text-format';

/**
 * A search snippet: its text formatted like a message (compact: it sits in a button), the
 * matched ranges in <mark>. When a match falls where formatting cannot mark it (inside code or
 * an address, or across markers), the snippet shows as plain text instead so no match is lost.
 * Nothing in a snippet is ever read as markup (the server sends ranges, not tags).
 */
export function SnippetText({ snippet }: { snippet: SearchSnippet }) {
  const ranges: MentionSpan[] = [];
  let at = 0;
  for (const { start, length } of [...snippet.highlights].sort((a, b) => a.start - b.start)) {
    if (start < at || length <= 0) continue;
    ranges.push({ start, end: start + length });
    at = start + length;
  }
  const nodes = formatMessageText(snippet.text, ranges);
  return (
    <span className="search-snippet" dir="auto">
      {marked(nodes) === ranges.length ? <FormattedText nodes={nodes} compact renderMention={(_range, text, key) => <mark key={key}>{text}</mark>} /> : plain(snippet.text, ranges)}
    </span>
  );
}

function marked(nodes: readonly FormatNode[]): number {
  let count = 0;
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'mention') count += 1;
    else if ('children' in node) stack.push(...node.children);
  }
  return count;
}

function plain(text: string, ranges: readonly MentionSpan[]) {
  const parts: Array<{ text: string; matched: boolean }> = [];
  let at = 0;
  for (const { start, end } of ranges) {
    if (start > at) parts.push({ text: text.slice(at, start), matched: false });
    parts.push({ text: text.slice(start, end), matched: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), matched: false });
  return parts.map((part, index) => (part.matched ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>));
}
