import type { ReactNode } from 'react';
import type { FormatNode, MentionSpan } from './message-text-format';

export interface FormattedTextProps<M extends MentionSpan> {
  /** What message-text-format.ts made of a text. */
  nodes: ReadonlyArray<FormatNode<M>>;
  /**
   * For one-line previews inside buttons (reply quotes, search results): links stay text and
   * code blocks show as inline code, since neither may sit inside a button.
   */
  compact?: boolean;
  /** How a marked span (a resolved mention, a search match) shows. */
  renderMention(mention: M, text: string, key: number): ReactNode;
}

/**
 * Formatted text as React elements only: nothing in it is ever read as HTML, and links are
 * the http(s) addresses the parser checked, opened in a new tab without handing it this page.
 */
export function FormattedText<M extends MentionSpan>({ nodes, compact = false, renderMention }: FormattedTextProps<M>) {
  return <>{renderNodes(nodes, { compact, renderMention })}</>;
}

interface RenderOptions<M extends MentionSpan> {
  compact: boolean;
  renderMention(mention: M, text: string, key: number): ReactNode;
}

function renderNodes<M extends MentionSpan>(nodes: ReadonlyArray<FormatNode<M>>, options: RenderOptions<M>): ReactNode[] {
  return nodes.map((node, key) => {
    if (node.type !== 'text' || options.compact) return renderNode(node, key, options);
    // A code block is a block of its own: the line breaks around its fences would show as empty lines.
    let text = node.text;
    if (nodes[key - 1]?.type === 'code-block') text = text.replace(/^\r?\n/u, '');
    if (nodes[key + 1]?.type === 'code-block') text = text.replace(/\r?\n$/u, '');
    return text;
  });
}

function renderNode<M extends MentionSpan>(node: FormatNode<M>, key: number, options: RenderOptions<M>): ReactNode {
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
    case 'mention':
      return options.renderMention(node.mention, node.text, key);
  }
}
