// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageText } from './message-text';

afterEach(cleanup);

const people: Record<string, { username: string; name: string }> = { u1: { username: 'ben', name: 'Ben B' }, u2: { username: 'ana', name: 'Ana A' } };
const personOf = (userId: string) => people[userId];

function shown(body: string, props: { mentions?: string[]; compact?: boolean } = {}) {
  const { container } = render(<MessageText body={body} mentions={props.mentions} selfId="u2" personOf={personOf} compact={props.compact ?? false} />);
  return container;
}

describe('a message body on screen', () => {
  it('renders links that open in a new tab without handing over the opener', () => {
    const body = shown('read https://example.com/docs). and www.example.org!');
    const links = [...body.querySelectorAll('a')];
    expect(links.map((link) => [link.getAttribute('href'), link.textContent, link.target, link.rel])).toEqual([
      ['https://example.com/docs', 'https://example.com/docs', '_blank', 'noopener noreferrer'],
      ['https://www.example.org/', 'www.example.org', '_blank', 'noopener noreferrer'],
    ]);
    expect(body.textContent).toBe('read https://example.com/docs). and www.example.org!');
  });

  it('renders bold, italic, inline code and code blocks as elements', () => {
    const body = shown('**bold** *it* _also_ `code`\n```\n  keep   this\n**not bold**\n```');
    expect(body.querySelector('strong')?.textContent).toBe('bold');
    expect([...body.querySelectorAll('em')].map((element) => element.textContent)).toEqual(['it', 'also']);
    expect(body.querySelector(':scope > code')?.textContent).toBe('code');
    expect(body.querySelector('pre > code')?.textContent).toBe('  keep   this\n**not bold**');
    expect(body.querySelectorAll('strong')).toHaveLength(1);
  });

  it('puts a code block on its own lines without empty lines around it', () => {
    const body = shown('before\n```\ncode\n```\nafter');
    expect([...body.childNodes].map((node) => node.textContent)).toEqual(['before', 'code', 'after']);
  });

  it('shows markup, scripts and other schemes as text, never as elements or links', () => {
    const hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) javascript:alert(1) data:text/html,<b>x</b> vbscript:x \u0000\u202e';
    const body = shown(hostile);
    expect(body.textContent).toBe(hostile);
    expect(body.querySelectorAll('script, img, b, a')).toHaveLength(0);
    expect(body.innerHTML).not.toContain('<script');
  });

  it('keeps mention highlighting, the reader’s own stronger, alongside formatting', () => {
    const body = shown('**@ben** and @ana, not `@ben` nor @carl', { mentions: ['u1', 'u2'] });
    const mentions = [...body.querySelectorAll('.mention')];
    expect(mentions.map((element) => [element.textContent, element.classList.contains('mention-me'), element.getAttribute('data-mention')])).toEqual([
      ['@Ben B', false, 'ben'],
      ['@Ana A', true, 'ana'],
    ]);
    expect(mentions[0]!.parentElement!.tagName).toBe('STRONG');
    expect(body.querySelector('code')?.textContent).toBe('@ben');
    expect(body.textContent).toContain('@carl');
  });

  it('shows a name the server did not resolve as typed', () => {
    expect(shown('hi @ben', { mentions: [] }).querySelectorAll('.mention')).toHaveLength(0);
  });

  it('in previews inside buttons, shows links as text and code blocks inline', () => {
    const body = shown('**see** https://example.com ```x = 1```', { compact: true });
    expect(body.querySelectorAll('a, pre')).toHaveLength(0);
    expect(body.querySelector('strong')?.textContent).toBe('see');
    expect(body.querySelector('code')?.textContent).toBe('x = 1');
  });

  it('renders an edited body again', () => {
    const view = render(<MessageText body="**first**" />);
    expect(view.container.querySelector('strong')?.textContent).toBe('first');
    view.rerender(<MessageText body="now `code` https://example.com" />);
    expect(view.container.querySelector('strong')).toBeNull();
    expect(view.container.querySelector('code')?.textContent).toBe('code');
    expect(view.container.querySelector('a')?.getAttribute('href')).toBe('https://example.com/');
  });

  it('renders a huge hostile body as its text', () => {
    const hostile = `${'*'.repeat(10_000)}${'_a'.repeat(2_000)}${'`'.repeat(3_001)}`;
    expect(shown(hostile).textContent!.length).toBeGreaterThan(10_000);
    const stars = shown('*'.repeat(10_000));
    expect(stars.textContent).toBe('*'.repeat(10_000));
    expect(stars.children).toHaveLength(0);
  });
});
