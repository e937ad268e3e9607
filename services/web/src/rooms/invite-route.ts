import { z } from 'zod';
import { PENDING_INVITE_KEY, readStored, removeStored, writeStored } from '../storage/browser-storage';

/** Invite links are `/invite/<token>`; the token is the 43-character secret of chat-socket's invites. */
const INVITE_PATH = /^\/invite\/([A-Za-z0-9_-]{43})\/?$/;

export function invitePath(token: string): string {
  return `/invite/${token}`;
}

export function inviteTokenFromPath(pathname: string): string | null {
  return INVITE_PATH.exec(pathname)?.[1] ?? null;
}

/**
 * An invite link opened while signed out is kept for this tab (sessionStorage) and followed
 * right after signing in or registering.
 */
export function rememberPendingInvite(token: string): void {
  writeStored(PENDING_INVITE_KEY, token, 'session');
}

export function takePendingInvite(): string | null {
  const token = readStored(PENDING_INVITE_KEY, z.string(), 'session') ?? null;
  removeStored(PENDING_INVITE_KEY, 'session');
  return token && inviteTokenFromPath(invitePath(token)) ? token : null;
}
