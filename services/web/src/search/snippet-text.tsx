import type { SearchSnippet } from '@parley/contracts';

/**
 * A search snippet: its text as text, the matched ranges in <mark>. Nothing in a snippet is ever
 * read as markup (the server sends ranges, not tags).
 */
export function SnippetText({ snippet }: { snippet: SearchSnippet }) {
  const parts: Array<{ text: string; matched: boolean }> = [];
  let at = 0;
  for (const { start, length } of [...snippet.highlights].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    if (start > at) parts.push({ text: snippet.text.slice(at, start), matched: false });
    parts.push({ text: snippet.text.slice(start, start + length), matched: true });
    at = start + length;
  }
  if (at < snippet.text.length) parts.push({ text: snippet.text.slice(at), matched: false });
  return (
    <span className="search-snippet" dir="auto">
      {parts.map((part, index) => (part.matched ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
    </span>
  );
}
