// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { OfflineBanner } from './offline-banner';

afterEach(cleanup);

describe('the connection banner', () => {
  it('says you are offline and that missed messages will come, as a status announcement', () => {
    render(<OfflineBanner status="offline" />);
    const banner = screen.getByRole('status');
    expect(banner.textContent).toMatch(/You are offline\. Reconnecting…/);
    expect(banner.textContent).toMatch(/Messages you missed will appear/);
  });

  it('shows a quiet "Connecting…" before the first connection', () => {
    render(<OfflineBanner status="connecting" />);
    expect(screen.getByRole('status').textContent).toBe('Connecting…');
  });

  it('disappears once online', () => {
    const { container } = render(<OfflineBanner status="online" />);
    expect(container.textContent).toBe('');
  });
});
