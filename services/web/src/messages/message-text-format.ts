import { linkAt } from './message-links';

/**
 * The small Markdown-like formatting of message text, parsed into a tree that the renderer turns
 * into React elements (never HTML): ``` fenced code blocks ```, `inline code`, **bold**,
 * *italic* or _italic_, web addresses as links, and the resolved @mentions the caller passes in.
 * Markers without a partner stay literal text. One left-to-right scan plus a delimiter stack, so
 * the work grows with the length of the text whatever it holds (no backtracking patterns).
 */

/** Where a mention is in the text (offsets into the whole body), with whatever the renderer needs about it. */
export interface MentionSpan {
  start: number;
  end: number;
}

export type FormatNode<M extends MentionSpan = MentionSpan> =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: Array<FormatNode<M>> }
  | { type: 'em'; children: Array<FormatNode<M>> }
  | { type: 'code'; text: string }
  | { type: 'code-block'; text: string; language: string | null }
  | { type: 'link'; href: string; text: string }
  | { type: 'mention'; text: string; mention: M };

/** Formatting nested deeper than this shows its inner markers as text (keeps hostile input from building deep trees). */
export const MAX_FORMAT_DEPTH = 8;

const FENCE = '```';
const LANGUAGE_LINE = /^([A-Za-z0-9_+#.-]{1,32})\r?\n/u;

type Delimiter = { kind: 'delim'; key: '*' | '**' | '_'; canOpen: boolean; canClose: boolean; closer?: number; literal?: boolean };
type Token<M extends MentionSpan> = { kind: 'node'; node: FormatNode<M> } | Delimiter;

/** Parses a message body; `mentions` are the resolved mentions sorted by position (those inside code or links are ignored). */
export function formatMessageText<M extends MentionSpan = MentionSpan>(body: string, mentions: readonly M[] = []): Array<FormatNode<M>> {
  const out: Array<FormatNode<M>> = [];
  const cursor = { mention: 0 };
  let at = 0;
  for (;;) {
    const open = body.indexOf(FENCE, at);
    const close = open === -1 ? -1 : body.indexOf(FENCE, open + FENCE.length);
    if (close === -1) break;
    appendInline(out, body, at, open, mentions, cursor);
    const block = codeBlock(body.slice(open + FENCE.length, close));
    appendNode(out, block ?? { type: 'text', text: body.slice(open, close + FENCE.length) });
    at = close + FENCE.length;
  }
  appendInline(out, body, at, body.length, mentions, cursor);
  return out;
}

/** The text a reader sees, markers dropped (code and addresses as written): for one-line previews and notifications. */
export function plainMessageText(body: string): string {
  let text = '';
  const stack: FormatNode[] = formatMessageText(body).reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('children' in node) for (let index = node.children.length - 1; index >= 0; index -= 1) stack.push(node.children[index]!);
    else text += node.text;
  }
  return text;
}

/** A fence's content: an optional language word on the opening line, the first and last line break dropped. */
function codeBlock(content: string): FormatNode<never> | null {
  let text = content;
  let language: string | null = null;
  const languageLine = LANGUAGE_LINE.exec(text);
  if (languageLine) {
    language = languageLine[1]!;
    text = text.slice(languageLine[0].length);
  } else if (text.startsWith('\r\n')) text = text.slice(2);
  else if (text.startsWith('\n')) text = text.slice(1);
  if (text.endsWith('\r\n')) text = text.slice(0, -2);
  else if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.trim() === '') return null;
  return { type: 'code-block', text, language };
}

function appendNode<M extends MentionSpan>(out: Array<FormatNode<M>>, node: FormatNode<M>): void {
  const last = out[out.length - 1];
  if (node.type === 'text' && last?.type === 'text') last.text += node.text;
  else if (node.type !== 'text' || node.text !== '') out.push(node);
}

function isSpace(char: string | undefined): boolean {
  return char === undefined || /\s/u.test(char);
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}\p{M}]/u.test(char);
}

function runLength(text: string, at: number, end: number): number {
  let length = 1;
  while (at + length < end && text[at + length] === text[at]) length += 1;
  return length;
}

/** Formats body[start, end) (no fences inside) and appends it to `out`. */
function appendInline<M extends MentionSpan>(out: Array<FormatNode<M>>, body: string, start: number, end: number, mentions: readonly M[], cursor: { mention: number }): void {
  const tokens = tokenize(body, start, end, mentions, cursor);
  pairDelimiters(tokens);
  for (const node of buildTree(tokens)) appendNode(out, node);
}

function tokenize<M extends MentionSpan>(body: string, start: number, end: number, mentions: readonly M[], cursor: { mention: number }): Array<Token<M>> {
  const tokens: Array<Token<M>> = [];
  const text = (value: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'node' && last.node.type === 'text') last.node.text += value;
    else if (value !== '') tokens.push({ kind: 'node', node: { type: 'text', text: value } });
  };
  // Once a search for a closing backtick fails, none is left in this stretch: no search repeats.
  let backticksLeft = true;
  let plainFrom = start;
  let at = start;
  const flush = () => text(body.slice(plainFrom, at));
  while (at < end) {
    // Spans already passed (inside code, a link, another span) or empty are skipped.
    while (cursor.mention < mentions.length && (mentions[cursor.mention]!.start < at || mentions[cursor.mention]!.end <= mentions[cursor.mention]!.start)) cursor.mention += 1;
    const char = body[at]!;
    const mention = mentions[cursor.mention];
    if (mention && mention.start === at && mention.end <= end) {
      flush();
      tokens.push({ kind: 'node', node: { type: 'mention', text: body.slice(mention.start, mention.end), mention } });
      cursor.mention += 1;
      at = plainFrom = mention.end;
      continue;
    }
    if (char === '`') {
      const run = runLength(body, at, end);
      const closing = run === 1 && backticksLeft ? closingBacktick(body, at + 1, end) : -1;
      if (run === 1 && closing === -1) backticksLeft = false;
      if (closing > at + 1) {
        flush();
        tokens.push({ kind: 'node', node: { type: 'code', text: body.slice(at + 1, closing) } });
        at = plainFrom = closing + 1;
      } else at += run;
      continue;
    }
    if (char === '*' || char === '_') {
      const run = runLength(body, at, end);
      if (run <= (char === '*' ? 2 : 1)) {
        const before = at > start ? body[at - 1] : undefined;
        const after = at + run < end ? body[at + run] : undefined;
        let canOpen = !isSpace(after);
        let canClose = !isSpace(before);
        // Inside a word an underscore is part of it (snake_case_names).
        if (char === '_') {
          canOpen &&= !isWordChar(before);
          canClose &&= !isWordChar(after);
        }
        if (canOpen || canClose) {
          flush();
          tokens.push({ kind: 'delim', key: run === 2 ? '**' : char, canOpen, canClose });
          at = plainFrom = at + run;
          continue;
        }
      }
      at += run;
      continue;
    }
    const link = linkAt(body, at);
    if (link && link.end <= end) {
      flush();
      tokens.push({ kind: 'node', node: { type: 'link', href: link.href, text: body.slice(at, link.end) } });
      at = plainFrom = link.end;
      continue;
    }
    at += 1;
  }
  flush();
  return tokens;
}

/** The next lone backtick (a run of exactly one) in body[from, end), or -1. */
function closingBacktick(body: string, from: number, end: number): number {
  let at = body.indexOf('`', from);
  while (at !== -1 && at < end) {
    const run = runLength(body, at, end);
    if (run === 1) return at;
    at = body.indexOf('`', at + run);
  }
  return -1;
}

/**
 * Pairs openers with closers of the same marker (CommonMark's delimiter stack, simplified): a
 * closer takes the nearest opener of its kind; openers skipped over stay text. Each opener
 * enters and leaves the stack once, and a closer only searches when a partner is known to be there.
 */
function pairDelimiters<M extends MentionSpan>(tokens: Array<Token<M>>): void {
  const stack: number[] = [];
  const open = { '*': 0, '**': 0, _: 0 };
  tokens.forEach((token, index) => {
    if (token.kind !== 'delim') return;
    if (token.canClose && open[token.key] > 0) {
      for (;;) {
        const opener = tokens[stack.pop()!] as Delimiter;
        open[opener.key] -= 1;
        if (opener.key === token.key) {
          opener.closer = index;
          return;
        }
      }
    }
    if (token.canOpen) {
      stack.push(index);
      open[token.key] += 1;
    }
  });
}

/** Builds the nodes from the paired tokens with an explicit stack (no recursion), marking unpaired and too-deep markers as text. */
function buildTree<M extends MentionSpan>(tokens: Array<Token<M>>): Array<FormatNode<M>> {
  const root: Array<FormatNode<M>> = [];
  const frames: Array<{ children: Array<FormatNode<M>>; closer: number }> = [];
  const target = () => frames[frames.length - 1]?.children ?? root;
  tokens.forEach((token, index) => {
    if (token.kind === 'node') {
      appendNode(target(), token.node);
      return;
    }
    const frame = frames[frames.length - 1];
    if (frame && frame.closer === index) {
      frames.pop();
      return;
    }
    if (token.closer !== undefined && !token.literal && frames.length < MAX_FORMAT_DEPTH) {
      const children: Array<FormatNode<M>> = [];
      target().push(token.key === '**' ? { type: 'strong', children } : { type: 'em', children });
      frames.push({ children, closer: token.closer });
      return;
    }
    if (token.closer !== undefined) (tokens[token.closer] as Delimiter).literal = true;
    appendNode(target(), { type: 'text', text: token.key });
  });
  return root;
}
