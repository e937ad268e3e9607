import { useEffect } from 'react';

const SIZE = 64;

/** The favicon with the count drawn on it (a PNG data: URL), or undefined where there is no canvas. */
function faviconWithCount(base: HTMLImageElement | null, count: number): string | undefined {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext('2d');
  if (!context) return undefined;
  if (base?.complete && base.naturalWidth > 0) context.drawImage(base, 0, 0, SIZE, SIZE);
  const text = count > 99 ? '99+' : String(count);
  context.fillStyle = '#c92a2a';
  context.beginPath();
  context.arc(SIZE - 20, 20, 20, 0, Math.PI * 2);
  context.fill();
  context.fillStyle = '#ffffff';
  context.font = `bold ${text.length > 2 ? 18 : 26}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(text, SIZE - 20, 21);
  return canvas.toDataURL('image/png');
}

/**
 * The unread count in the window title ("(3) Parley") and on the favicon, so it shows on a
 * background tab. Muted rooms are left out by the caller.
 */
export function useUnreadBadge(count: number): void {
  useEffect(() => {
    document.title = count > 0 ? `(${count}) Parley` : 'Parley';
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (!link) return;
    const original = link.dataset.original ?? link.getAttribute('href') ?? '/favicon.svg';
    link.dataset.original = original;
    if (count === 0) {
      link.type = 'image/svg+xml';
      link.href = original;
      return;
    }
    const base = new Image();
    let cancelled = false;
    const draw = () => {
      if (cancelled) return;
      const url = faviconWithCount(base, count);
      if (!url) return;
      link.type = 'image/png';
      link.href = url;
    };
    base.onload = draw;
    base.onerror = draw;
    base.src = original;
    return () => {
      cancelled = true;
    };
  }, [count]);
}
