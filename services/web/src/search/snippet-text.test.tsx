// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SnippetText } from './snippet-text';

afterEach(cleanup);

describe('a search snippet on screen', () => {
  it('marks the matched ranges and keeps the rest as text', () => {
    const { container } = render(<SnippetText snippet={{ text: 'an apple a day', highlights: [{ start: 3, length: 5 }, { start: 11, length: 3 }] }} />);
    expect([...container.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['apple', 'day']);
    expect(container.textContent).toBe('an apple a day');
  });

  it('shows markup in a message as text, never as elements', () => {
    const { container } = render(<SnippetText snippet={{ text: '<img src=x onerror=alert(1)> <b>bold</b>', highlights: [{ start: 32, length: 4 }] }} />);
    expect(container.querySelector('img, b')).toBeNull();
    expect(container.textContent).toBe('<img src=x onerror=alert(1)> <b>bold</b>');
    expect(container.querySelector('mark')?.textContent).toBe('bold');
  });

  it('ignores overlapping or out-of-order ranges instead of repeating text', () => {
    const { container } = render(<SnippetText snippet={{ text: 'abcdef', highlights: [{ start: 2, length: 3 }, { start: 0, length: 2 }, { start: 3, length: 2 }] }} />);
    expect(container.textContent).toBe('abcdef');
    expect([...container.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['ab', 'cde']);
  });

  it('formats the snippet like a message, with the matches marked inside the formatting', () => {
    const text = 'the **marmalade** recipe at https://example.com ```cook it```';
    const { container } = render(<SnippetText snippet={{ text, highlights: [{ start: 6, length: 9 }] }} />);
    expect(container.querySelector('strong > mark')?.textContent).toBe('marmalade');
    expect(container.querySelector('code')?.textContent).toBe('cook it');
    // It sits in a button: no link and no block inside it.
    expect(container.querySelectorAll('a, pre')).toHaveLength(0);
    expect(container.textContent).toBe('the marmalade recipe at https://example.com cook it');
  });

  it('shows the plain text when a match lies where formatting cannot mark it', () => {
    const text = 'run `npm marmalade` and **go**';
    const { container } = render(<SnippetText snippet={{ text, highlights: [{ start: 9, length: 9 }] }} />);
    expect(container.textContent).toBe(text);
    expect(container.querySelector('mark')?.textContent).toBe('marmalade');
    expect(container.querySelector('code, strong')).toBeNull();
  });

  it('survives empty and out-of-range matches', () => {
    const { container } = render(<SnippetText snippet={{ text: '**a** b', highlights: [{ start: 2, length: 0 }, { start: 6, length: 40 }] }} />);
    expect(container.textContent).toBe('**a** b');
  });
});
