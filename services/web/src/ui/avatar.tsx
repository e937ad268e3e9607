import { useState } from 'react';

export interface AvatarProps {
  name: string;
  url?: string | null | undefined;
  size?: 'small' | 'large';
  /** `#` for groups without a picture. */
  fallback?: string;
}

/** A picture when there is one that loads, else the initial: decorative (the name is always next to it). */
export function Avatar({ name, url, size = 'small', fallback }: AvatarProps) {
  const [broken, setBroken] = useState(false);
  const className = size === 'large' ? 'avatar avatar-large' : 'avatar';
  if (url && !broken) {
    return <img className={className} src={url} alt="" referrerPolicy="no-referrer" onError={() => setBroken(true)} />;
  }
  return (
    <span className={className} aria-hidden="true">
      {fallback ?? (name.trim().charAt(0).toLocaleUpperCase() || '?')}
    </span>
  );
}
