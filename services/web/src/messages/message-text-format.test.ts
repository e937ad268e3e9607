import { describe, expect, it } from 'vitest';
import { formatMessageText, MAX_FORMAT_DEPTH, plainMessageText, type FormatNode } from './message-text-format';
import { linkAt, safeHref } from './message-links';

const text = (value: string): FormatNode => ({ type: 'text', text: value });
const link = (value: string, href: string): FormatNode => ({ type: 'link', text: value, href });

/** The text a reader sees, markers removed: what every formatting keeps of the body. */
function shown(nodes: readonly FormatNode[]): string {
  return nodes.map((node) => ('children' in node ? shown(node.children) : node.text)).join('');
}

function depth(nodes: readonly FormatNode[]): number {
  let deepest = 0;
  const stack = nodes.map((node) => ({ node, level: 1 }));
  while (stack.length > 0) {
    const { node, level } = stack.pop()!;
    deepest = Math.max(deepest, level);
    if ('children' in node) stack.push(...node.children.map((child) => ({ node: child, level: level + 1 })));
  }
  return deepest;
}

describe('message text formatting', () => {
  it('leaves plain text as one text node', () => {
    expect(formatMessageText('hello there')).toEqual([text('hello there')]);
    expect(formatMessageText('')).toEqual([]);
  });

  it('makes **bold**, *italic*, _italic_ and `inline code`', () => {
    expect(formatMessageText('a **big** deal')).toEqual([text('a '), { type: 'strong', children: [text('big')] }, text(' deal')]);
    expect(formatMessageText('*soft* and _quiet_')).toEqual([{ type: 'em', children: [text('soft')] }, text(' and '), { type: 'em', children: [text('quiet')] }]);
    expect(formatMessageText('run `npm ci` now')).toEqual([text('run '), { type: 'code', text: 'npm ci' }, text(' now')]);
  });

  it('nests emphasis and keeps code literal inside it', () => {
    expect(formatMessageText('*very **bold** `*x*`*')).toEqual([
      { type: 'em', children: [text('very '), { type: 'strong', children: [text('bold')] }, text(' '), { type: 'code', text: '*x*' }] },
    ]);
  });

  it('makes fenced code blocks that keep every space and line and format nothing inside', () => {
    const body = 'before\n```ts\nconst a = **b** + `c`;\n  if (x) { https://example.com }\n```\nafter';
    expect(formatMessageText(body)).toEqual([
      text('before\n'),
      { type: 'code-block', language: 'ts', text: 'const a = **b** + `c`;\n  if (x) { https://example.com }' },
      text('\nafter'),
    ]);
    expect(formatMessageText('```one line```')).toEqual([{ type: 'code-block', language: null, text: 'one line' }]);
    expect(formatMessageText('```\n  indented\n\n  gap\n```')).toEqual([{ type: 'code-block', language: null, text: '  indented\n\n  gap' }]);
  });

  it('keeps markers without a partner as text', () => {
    for (const body of ['**bold', 'bold**', '*a', 'a*', '_a', 'a_b_c', '`open', '```open\nnever closed', '**mixed*', 'a * b * c', '2 * 3 = 6', '***', '``', '``````', 'snake_case_name', '__init__']) {
      expect(formatMessageText(body), body).toEqual([text(body)]);
    }
    // An unclosed fence leaves the rest to inline formatting.
    expect(formatMessageText('```**x**')).toEqual([text('```'), { type: 'strong', children: [text('x')] }]);
  });

  it('does not let markers cross code: the code span wins', () => {
    expect(formatMessageText('*a `b* c`')).toEqual([text('*a '), { type: 'code', text: 'b* c' }]);
    expect(formatMessageText('**a ```b** c```')).toEqual([text('**a '), { type: 'code-block', language: null, text: 'b** c' }]);
  });

  it('leaves unbalanced nesting as text around what does pair', () => {
    expect(formatMessageText('**a *b** c*')).toEqual([{ type: 'strong', children: [text('a *b')] }, text(' c*')]);
    expect(formatMessageText('_a *b_ c*')).toEqual([{ type: 'em', children: [text('a *b')] }, text(' c*')]);
  });

  it('keeps the text of any body, hostile or not, and never loses a character outside markers', () => {
    for (const body of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '&lt;b&gt; &amp;', '\u0000\u0007\u001b[31m red \u202e reversed', '{{constructor.constructor("x")()}}']) {
      expect(formatMessageText(body), body).toEqual([text(body)]);
    }
  });

  it('bounds nesting depth, showing deeper markers as text', () => {
    const body = `${'*a **b '.repeat(20)}x${' b** a*'.repeat(20)}`;
    const nodes = formatMessageText(body);
    expect(depth(nodes)).toBe(MAX_FORMAT_DEPTH + 1);
    // Everything beyond the limit is still there, as text.
    expect(shown(nodes).replaceAll('*', '')).toBe(body.replaceAll('*', ''));
  });

  it('parses hostile runs of markers into the text they are', () => {
    const stars = '*'.repeat(10_000);
    expect(formatMessageText(stars)).toEqual([text(stars)]);
    const alternating = 'a*'.repeat(5_000);
    const parsed = formatMessageText(alternating);
    expect(parsed.filter((node) => node.type === 'em')).toHaveLength(2_500);
    expect(shown(parsed).replaceAll('*', '')).toBe('a'.repeat(5_000));
    const openers = '*a '.repeat(5_000);
    expect(formatMessageText(openers)).toEqual([text(openers)]);
    const backticks = '` '.repeat(5_000) + '`';
    expect(shown(formatMessageText(backticks)).length).toBeGreaterThan(0);
    const fences = '```'.repeat(3_333) + '`';
    expect(shown(formatMessageText(fences)).length).toBeGreaterThan(0);
    const underscores = '_a'.repeat(5_000);
    expect(shown(formatMessageText(underscores)).replaceAll('_', '')).toBe('a'.repeat(5_000));
  });

  it('handles a very long body', () => {
    const body = 'word **bold** `code` https://example.com/x _em_ '.repeat(2_000);
    const nodes = formatMessageText(body);
    expect(nodes.filter((node) => node.type === 'link')).toHaveLength(2_000);
    expect(nodes.filter((node) => node.type === 'strong')).toHaveLength(2_000);
  });

  it('turns resolved mentions into mention nodes, not inside code or links', () => {
    const body = 'hi @ben, see `@ben` and https://example.com/@ben **@ben**';
    const spans = [...body.matchAll(/@ben/gu)].map((match) => ({ start: match.index, end: match.index + 4, userId: 'u1' }));
    const nodes = formatMessageText(body, spans);
    expect(nodes).toEqual([
      text('hi '),
      { type: 'mention', text: '@ben', mention: spans[0] },
      text(', see '),
      { type: 'code', text: '@ben' },
      text(' and '),
      link('https://example.com/@ben', 'https://example.com/@ben'),
      text(' '),
      { type: 'strong', children: [{ type: 'mention', text: '@ben', mention: spans[3] }] },
    ]);
  });
});

describe('marked spans', () => {
  it('ignores empty, overlapping and out-of-order spans', () => {
    const spans = [{ start: 0, end: 0 }, { start: 0, end: 3 }, { start: 1, end: 5 }, { start: 4, end: 7 }, { start: 2, end: 3 }, { start: 8, end: 99 }];
    expect(formatMessageText('abc defgh', spans)).toEqual([
      { type: 'mention', text: 'abc', mention: spans[1] },
      text(' '),
      { type: 'mention', text: 'def', mention: spans[3] },
      text('gh'),
    ]);
  });
});

describe('message text as plain text', () => {
  it('drops the markers and keeps everything else, for previews', () => {
    expect(plainMessageText('**Thanks**, see _this_ at https://example.com and `a*b`')).toBe('Thanks, see this at https://example.com and a*b');
    expect(plainMessageText('```js\nlet x = 1;\n```')).toBe('let x = 1;');
    expect(plainMessageText('2 * 3 and **open')).toBe('2 * 3 and **open');
    expect(plainMessageText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });
});

describe('links in message text', () => {
  it('links http, https and www addresses', () => {
    expect(formatMessageText('see https://example.com/a?b=1#c now')).toEqual([text('see '), link('https://example.com/a?b=1#c', 'https://example.com/a?b=1#c'), text(' now')]);
    expect(formatMessageText('http://example.com')).toEqual([link('http://example.com', 'http://example.com/')]);
    expect(formatMessageText('go to www.example.com.')).toEqual([text('go to '), link('www.example.com', 'https://www.example.com/'), text('.')]);
    expect(formatMessageText('HTTPS://EXAMPLE.COM/Path')).toEqual([link('HTTPS://EXAMPLE.COM/Path', 'https://example.com/Path')]);
  });

  it('gives trailing punctuation and unbalanced brackets back to the sentence', () => {
    for (const [body, address] of [
      ['(see https://example.com/a)', 'https://example.com/a'],
      ['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
      ['https://example.com/x.', 'https://example.com/x'],
      ['https://example.com/x,', 'https://example.com/x'],
      ['https://example.com/x;', 'https://example.com/x'],
      ['https://example.com/x:', 'https://example.com/x'],
      ['https://example.com/x!', 'https://example.com/x'],
      ['https://example.com/x?', 'https://example.com/x'],
      ['https://example.com/x?!).', 'https://example.com/x'],
      ['"https://example.com/q"', 'https://example.com/q'],
      ['<https://example.com/q>', 'https://example.com/q'],
      ['[x](https://example.com/q)', 'https://example.com/q'],
    ] as const) {
      const links = formatMessageText(body).filter((node) => node.type === 'link');
      expect(links.map((node) => node.text), body).toEqual([address]);
    }
  });

  it('links inside emphasis without swallowing the closing marker', () => {
    expect(formatMessageText('**https://example.com**')).toEqual([{ type: 'strong', children: [link('https://example.com', 'https://example.com/')] }]);
    expect(formatMessageText('_https://example.com/a_b_')).toEqual([{ type: 'em', children: [link('https://example.com/a_b', 'https://example.com/a_b')] }]);
  });

  it('never links a scheme other than http and https', () => {
    for (const body of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      '[x](javascript:alert(1))',
      '[click](javascript:alert(1)) and <a href="javascript:alert(1)">x</a>',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com',
      'mailto:a@example.com',
      'javascript:https://example.com',
      'https://javascript:alert(1)',
      'xhttps://example.com',
      'http://',
      'https:// example.com',
      'www.',
      'https://user:secret@example.com',
    ]) {
      expect(formatMessageText(body).filter((node) => node.type === 'link'), body).toEqual([]);
    }
  });

  it('does not link an address inside code', () => {
    expect(formatMessageText('`https://example.com`')).toEqual([{ type: 'code', text: 'https://example.com' }]);
    expect(formatMessageText('```\nhttps://example.com\n```')).toEqual([{ type: 'code-block', language: null, text: 'https://example.com' }]);
  });

  it('ends an address at spaces, quotes and control characters', () => {
    expect(linkAt('https://example.com/a\u0000b', 0)?.href).toBe('https://example.com/a');
    expect(linkAt('https://example.com/a\u202eb', 0)?.href).toBe('https://example.com/a');
    expect(linkAt('https://example.com/a"onmouseover="x', 0)?.href).toBe('https://example.com/a');
    expect(linkAt('https://example.com/<script>', 0)?.href).toBe('https://example.com/');
    expect(linkAt('mid-word https://example.com', 3)).toBeNull();
    expect(linkAt('a.https://example.com', 2)).toBeNull();
  });

  it('only hands out http and https addresses', () => {
    expect(safeHref('https://example.com/a b')).toBe('https://example.com/a%20b');
    expect(safeHref('www.example.com')).toBe('https://www.example.com/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});
