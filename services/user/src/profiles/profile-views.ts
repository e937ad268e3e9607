import type { OwnProfile, PublicProfile } from '@parley/contracts';
import type { ProfileEntity } from './profile.entity.js';

/** What anyone signed in may see of a profile: never the email. */
export function toPublicProfile(profile: ProfileEntity): PublicProfile {
  return {
    id: profile.id,
    username: profile.username,
    displayName: profile.displayName,
    bio: profile.bio,
    avatarUrl: profile.avatarUrl,
    createdAt: profile.createdAt.toISOString(),
  };
}

/** What the owner sees of their own profile. */
export function toOwnProfile(profile: ProfileEntity): OwnProfile {
  return {
    ...toPublicProfile(profile),
    email: profile.email,
    mentionDigest: profile.mentionDigest,
    updatedAt: profile.updatedAt.toISOString(),
  };
}

/** Looks up a profile that foreign keys guarantee to exist. */
export function profileIn(profiles: Map<string, ProfileEntity>, id: string): ProfileEntity {
  const profile = profiles.get(id);
  if (!profile) throw new Error(`profile ${id} vanished while rendering`);
  return profile;
}
