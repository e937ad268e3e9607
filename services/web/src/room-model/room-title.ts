import type { PublicProfile, RoomSummary } from '@parley/contracts';

export type ProfileLookup = (userId: string) => PublicProfile | undefined;

export function displayNameOf(profile: PublicProfile | undefined, fallbackId: string): string {
  if (!profile) return `user ${fallbackId.slice(0, 8)}`;
  return profile.displayName?.trim() || profile.username;
}

/** The other member of a direct room, if the summary lists its members. */
export function directPartnerId(room: RoomSummary, selfId: string): string | undefined {
  if (room.kind !== 'direct') return undefined;
  return room.memberIds?.find((id) => id !== selfId);
}

/** Group rooms by name; direct rooms by the other person's name. */
export function roomTitle(room: RoomSummary, selfId: string, profileOf: ProfileLookup): string {
  if (room.kind === 'group') return room.name ?? 'Unnamed group';
  const partner = directPartnerId(room, selfId);
  return partner ? displayNameOf(profileOf(partner), partner) : (room.name ?? 'Direct chat');
}
