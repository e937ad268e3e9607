// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { messageKey, type ChatMessage } from './chat-message';
import { MessageList, type MessageListProps } from './message-list';
import { buildTimeline } from './timeline';

const SELF = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';
const ROOM = '00000000-0000-4000-8000-000000000001';

// jsdom lays nothing out: a 600 px viewport (client size) and 60 px rows (offset size) for the virtualizer.
const sizes = { clientHeight: 600, clientWidth: 400, offsetHeight: 60, offsetWidth: 400 };
const originals = Object.fromEntries(Object.keys(sizes).map((key) => [key, Object.getOwnPropertyDescriptor(HTMLElement.prototype, key)]));
beforeAll(() => {
  for (const [key, value] of Object.entries(sizes)) Object.defineProperty(HTMLElement.prototype, key, { configurable: true, get: () => value });
  Element.prototype.scrollTo = function scrollTo() {};
});
afterAll(() => {
  for (const [key, descriptor] of Object.entries(originals)) if (descriptor) Object.defineProperty(HTMLElement.prototype, key, descriptor);
});
afterEach(cleanup);

let sequence = 0;
function chatMessage(overrides: Partial<ChatMessage> & { body: string }): ChatMessage {
  sequence += 1;
  const clientMsgId = `10000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  const senderId = overrides.senderId ?? SELF;
  return {
    key: messageKey(senderId, clientMsgId),
    id: String(sequence),
    seq: sequence,
    clientMsgId,
    roomId: ROOM,
    senderId,
    createdAt: '2026-05-01T10:00:00.000Z',
    state: 'sent',
    ...overrides,
  };
}

function listProps(messages: ChatMessage[], overrides: Partial<MessageListProps> = {}): MessageListProps {
  return {
    items: buildTimeline(messages, [], overrides.hasMore ?? false),
    selfId: SELF,
    readByOthersUpTo: null,
    hasMore: false,
    loadingOlder: false,
    unreadCount: 0,
    onLoadOlder: () => undefined,
    onRetry: () => undefined,
    onSeen: () => undefined,
    onOpenProfile: () => undefined,
    nameOf: (id) => (id === OTHER ? 'Bob' : 'Someone'),
    eventText: () => '',
    ...overrides,
  };
}

function renderList({ messages, ...overrides }: Partial<MessageListProps> & { messages: ChatMessage[] }) {
  const onRetry = vi.fn();
  render(<MessageList {...listProps(messages, { onRetry, ...overrides })} />);
  return { onRetry };
}

const articleOf = (text: string) => screen.getByText(text).closest('article')!;

describe('the message list', () => {
  it('shows a clock while sending, one tick when acknowledged and two once another member read it', () => {
    const read = chatMessage({ body: 'read by Bob' });
    const delivered = chatMessage({ body: 'delivered only' });
    const sending = chatMessage({ body: 'on its way', id: null, state: 'pending' });
    renderList({ messages: [read, delivered, sending], readByOthersUpTo: read.id });

    expect(within(articleOf('read by Bob')).getByRole('img').getAttribute('aria-label')).toBe('Read');
    expect(within(articleOf('delivered only')).getByRole('img').getAttribute('aria-label')).toBe('Sent');
    expect(within(articleOf('on its way')).getByRole('img').getAttribute('aria-label')).toBe('Sending');
  });

  it('shows why a message failed and retries it with its own key', async () => {
    const failed = chatMessage({ body: 'did not make it', id: null, state: 'failed', error: 'You cannot post in this room.' });
    const { onRetry } = renderList({ messages: [failed] });
    const article = articleOf('did not make it');
    expect(within(article).getByRole('alert').textContent).toContain('You cannot post in this room.');
    await userEvent.click(within(article).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledWith(failed.key);
  });

  it('names other senders (a button to their profile) and puts no ticks on their messages', async () => {
    const onOpenProfile = vi.fn();
    renderList({ messages: [chatMessage({ body: 'hi from Bob', senderId: OTHER })], onOpenProfile });
    const article = articleOf('hi from Bob');
    expect(within(article).queryByRole('img')).toBeNull();
    await userEvent.click(within(article).getByRole('button', { name: 'Bob' }));
    expect(onOpenProfile).toHaveBeenCalledWith(OTHER);
  });

  it('says a message written offline waits for the connection', () => {
    renderList({ messages: [chatMessage({ body: 'later', id: null, state: 'queued' })] });
    const article = articleOf('later');
    expect(within(article).getByRole('img').getAttribute('aria-label')).toBe('Waiting for the connection');
    expect(article.textContent).toMatch(/it will be sent by itself/);
  });

  it('lets text run in its own direction, and gives the full date and time on hover', () => {
    renderList({ messages: [chatMessage({ body: 'مرحبا بالجميع', senderId: OTHER, createdAt: '2026-05-04T14:05:09.000Z' })] });
    const body = screen.getByText('مرحبا بالجميع');
    expect(body.getAttribute('dir')).toBe('auto');
    expect(within(body.closest('article')!).getByRole('button', { name: 'Bob' }).getAttribute('dir')).toBe('auto');
    const time = body.closest('article')!.querySelector('time')!;
    expect(time.getAttribute('title')).toMatch(/2026/);
  });

  it('heads each day with a separator, and puts the "New messages" line before the first unread from others', () => {
    const messages = [
      chatMessage({ body: 'old news', senderId: OTHER, createdAt: '2026-05-01T10:00:00.000Z' }),
      chatMessage({ body: 'my reply', createdAt: '2026-05-02T09:00:00.000Z' }),
      chatMessage({ body: 'fresh', senderId: OTHER, createdAt: '2026-05-02T09:05:00.000Z' }),
    ];
    renderList({ messages, unreadLine: messages[1]!.id! });
    expect(screen.getAllByRole('separator').map((separator) => separator.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/1 May|May 1/),
      expect.stringMatching(/2 May|May 2/),
      'New messages',
    ]);
    const line = screen.getByTestId('new-messages-line');
    expect(line.parentElement?.textContent).toContain('fresh');
  });

  it('renders only the rows in view out of 10,000 messages', () => {
    const messages = Array.from({ length: 10_000 }, (_, index) => chatMessage({ body: `message number ${index}`, senderId: index % 2 ? OTHER : SELF }));
    renderList({ messages, hasMore: true });
    const rendered = screen.getAllByRole('article');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);
  });

  it('says when the start of the conversation is reached, and when older messages are loading', () => {
    const { unmount } = render(<MessageList {...listProps([chatMessage({ body: 'first' })])} />);
    expect(screen.getByText('This is the start of the conversation.')).toBeTruthy();
    unmount();
    renderList({ messages: [chatMessage({ body: 'later' })], hasMore: true, loadingOlder: true });
    expect(screen.getByText('Loading older messages…')).toBeTruthy();
  });
});
