import { describe, expect, it } from 'vitest';
import { updateRoomRequestSchema } from './room-settings.js';
import { updateProfileRequestSchema } from './users.js';

describe('picture addresses (profile and room avatars)', () => {
  it('takes an https address', () => {
    expect(updateProfileRequestSchema.safeParse({ avatarUrl: 'https://pictures.example/a.png' }).success).toBe(true);
    expect(updateRoomRequestSchema.safeParse({ avatarUrl: 'https://pictures.example/r.png' }).success).toBe(true);
  });

  it('refuses http and every other scheme, which the web client would never show', () => {
    for (const avatarUrl of ['http://pictures.example/a.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA', 'ftp://pictures.example/a.png', '//pictures.example/a.png']) {
      const profile = updateProfileRequestSchema.safeParse({ avatarUrl });
      const room = updateRoomRequestSchema.safeParse({ avatarUrl });
      expect(profile.success, avatarUrl).toBe(false);
      expect(room.success, avatarUrl).toBe(false);
    }
    expect(JSON.stringify(updateProfileRequestSchema.safeParse({ avatarUrl: 'http://pictures.example/a.png' }).error?.issues)).toContain('must be an https URL');
  });
});
