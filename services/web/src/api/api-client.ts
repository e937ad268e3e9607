import { z } from 'zod';
import {
  TOKEN_TRANSPORT_HEADER,
  accountSessionListSchema,
  authSessionSchema,
  authUserResponseSchema,
  blockListSchema,
  codeRequestAcceptedSchema,
  createdInviteSchema,
  invitePreviewSchema,
  roomEventListSchema,
  roomInviteListSchema,
  roomPreferencesSchema,
  roomUpdatedSchema,
  friendListSchema,
  friendRequestListSchema,
  friendRequestSchema,
  historyResponseSchema,
  threadResponseSchema,
  attachmentLinksSchema,
  type MessageAttachment,
  ownProfileSchema,
  presenceListSchema,
  publicProfileSchema,
  publicRoomListSchema,
  readMarkerResponseSchema,
  roomListResponseSchema,
  roomMemberListSchema,
  roomSummarySchema,
  userSearchResponseSchema,
  type AuthSession,
  type AuthUser,
  type ChangePasswordRequest,
  type CreateRoomRequest,
  type HistoryQuery,
  type LoginRequest,
  type PasswordResetConfirm,
  type RegisterRequest,
  type MemberRole,
  type RoomPreferencesRequest,
  type SessionEndReason,
  type UpdateProfileRequest,
  type UpdateRoomRequest,
} from '@parley/contracts';
import { ApiError, apiErrorFromResponse } from './api-error';
import { uploadWithProgress } from './attachment-upload';
import { devMailboxSchema, type DevMailboxMessage } from './dev-mailbox';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Replies per page of the thread panel (the server allows up to THREAD_PAGE_MAX). */
export const THREAD_PANEL_PAGE = 50;

interface RequestOptions<T> {
  method?: Method;
  body?: unknown;
  /** zod schema of the answer; omitted for 204s. */
  schema?: z.ZodType<T>;
  /** Sends the bearer token, refreshes once and retries once on a 401. Default true. */
  auth?: boolean;
  /** Asks the auth service to keep the refresh token in its HttpOnly cookie. */
  cookieTransport?: boolean;
}

export interface ApiClientOptions {
  /** Origin of the API; the page's own origin when empty (the ingress serves both). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** How long before expiry the access token is renewed, in seconds. */
  refreshLeadSeconds?: number;
}

export type SessionListener = (user: AuthUser | null) => void;

/**
 * Why the client's session ended: a server reason (`session:ended`), `signed-out` (this tab's
 * own "Log out"), `other-tab` (another tab of this browser signed out), `refused` (the server
 * would not renew the session, reason unknown).
 */
export type SignOutReason = SessionEndReason | 'signed-out' | 'other-tab' | 'refused';
export type AccessTokenListener = (accessToken: string) => void;

/**
 * The one place the client talks HTTP. It keeps the access token in memory only (the refresh
 * token lives in the auth service's HttpOnly cookie), renews it before it expires, and on a
 * 401 refreshes once and retries the request once. Failures become `ApiError`s.
 */
export class ApiClient {
  private accessToken: string | null = null;
  private user: AuthUser | null = null;
  private signOutReason: SignOutReason | null = null;
  /** Set while this tab itself ends the session (logout, everywhere, account deletion). */
  private endingOwnSession = false;
  /** Counts ended sessions, so a renewal answered after an end is recognised as stale. */
  private sessionsEnded = 0;
  private refreshing: Promise<AuthSession | null> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<SessionListener>();
  private readonly tokenListeners = new Set<AccessTokenListener>();
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly refreshLeadSeconds: number;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.refreshLeadSeconds = options.refreshLeadSeconds ?? 60;
  }

  // ---- session ----

  /**
   * Called with every new access token (sign-in and each renewal), so a connected socket can
   * be handed the renewed token before the one it connected with expires.
   */
  onAccessToken(listener: AccessTokenListener): () => void {
    this.tokenListeners.add(listener);
    return () => this.tokenListeners.delete(listener);
  }

  currentUser(): AuthUser | null {
    return this.user;
  }

  currentAccessToken(): string | null {
    return this.accessToken;
  }

  /** Called with the user on sign-in and with null when the session ends (logout, refresh refused). */
  onSessionChange(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async register(request: RegisterRequest): Promise<AuthUser> {
    return this.startSession(
      await this.request('/api/v1/auth/register', { method: 'POST', body: request, schema: authSessionSchema, auth: false, cookieTransport: true }),
    );
  }

  async login(request: LoginRequest): Promise<AuthUser> {
    return this.startSession(
      await this.request('/api/v1/auth/login', { method: 'POST', body: request, schema: authSessionSchema, auth: false, cookieTransport: true }),
    );
  }

  /** On page load: the refresh cookie, if still valid, gives a new session. Null when signed out. */
  async restoreSession(): Promise<AuthUser | null> {
    const session = await this.refresh();
    return session ? session.user : null;
  }

  /**
   * Renews the access token with the refresh cookie. Concurrent callers share one request.
   * Null when the server refuses (the session is over); network failures throw.
   */
  refresh(): Promise<AuthSession | null> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async logout(): Promise<void> {
    this.endingOwnSession = true;
    try {
      await this.request('/api/v1/auth/logout', { method: 'POST', body: {}, auth: false, cookieTransport: true });
    } finally {
      this.endingOwnSession = false;
      this.endSession('signed-out');
    }
  }

  /** Runs a request that ends this session; on success the session ends with `reason`. */
  private async endOwnSession(reason: SignOutReason, request: () => Promise<unknown>): Promise<void> {
    this.endingOwnSession = true;
    try {
      await request();
    } finally {
      this.endingOwnSession = false;
    }
    this.endSession(reason);
  }

  /** Why the last session ended (null while signed in or before any). */
  lastSignOutReason(): SignOutReason | null {
    return this.signOutReason;
  }

  /**
   * The session ended elsewhere: the server said so (`session:ended`) or another tab did.
   * An expired access token is no end: the session is renewed instead (and ends if it cannot be).
   */
  sessionEnded(reason: SignOutReason): void {
    // This tab ends the session itself: the server's word on it may come before its answer.
    if (this.endingOwnSession) return;
    if (reason === 'expired') {
      void this.refresh().catch(() => undefined);
      return;
    }
    this.endSession(reason);
  }

  async requestEmailVerification(): Promise<string> {
    const answer = await this.request('/api/v1/auth/email/verify/request', { method: 'POST', body: {}, schema: codeRequestAcceptedSchema });
    return answer.message;
  }

  async confirmEmail(code: string): Promise<AuthUser> {
    const { user } = await this.request('/api/v1/auth/email/verify/confirm', { method: 'POST', body: { code }, schema: authUserResponseSchema });
    this.user = user;
    this.emit();
    return user;
  }

  async requestPasswordReset(email: string): Promise<string> {
    const answer = await this.request('/api/v1/auth/password/reset/request', {
      method: 'POST',
      body: { email },
      schema: codeRequestAcceptedSchema,
      auth: false,
    });
    return answer.message;
  }

  async confirmPasswordReset(request: PasswordResetConfirm): Promise<void> {
    await this.request('/api/v1/auth/password/reset/confirm', { method: 'POST', body: request, auth: false });
  }

  // ---- account settings ----

  /** Other sessions end at once; this one (and this browser's other tabs) stays signed in. */
  changePassword = (request: ChangePasswordRequest) => this.request('/api/v1/auth/password/change', { method: 'POST', body: request });
  accountSessions = () => this.request('/api/v1/auth/sessions', { schema: accountSessionListSchema });
  endAccountSession = (sessionId: string) => this.request(`/api/v1/auth/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });

  /** Ends every session of the account, this one included. */
  logoutEverywhere(): Promise<void> {
    return this.endOwnSession('logout-all', () => this.request('/api/v1/auth/logout-all', { method: 'POST', body: {}, cookieTransport: true }));
  }

  /** Deletes the account (its password confirms it); every session ends. */
  deleteAccount(password: string): Promise<void> {
    return this.endOwnSession('account-deleted', () =>
      this.request('/api/v1/auth/account', { method: 'DELETE', body: { password }, cookieTransport: true }),
    );
  }

  /** Local development only: mail the launcher wrote to its file mailbox; null where there is none. */
  async devMailbox(email: string): Promise<DevMailboxMessage[] | null> {
    try {
      const response = await this.fetchImpl(`${this.baseUrl}/dev/mailbox?to=${encodeURIComponent(email)}`, { cache: 'no-store' });
      if (!response.ok) return null;
      const parsed = devMailboxSchema.safeParse(await response.json());
      return parsed.success ? parsed.data.messages : null;
    } catch {
      return null;
    }
  }

  // ---- users ----

  me = () => this.request('/api/v1/users/me', { schema: ownProfileSchema });
  updateMe = (patch: UpdateProfileRequest) => this.request('/api/v1/users/me', { method: 'PATCH', body: patch, schema: ownProfileSchema });
  profile = (userId: string) => this.request(`/api/v1/users/${encodeURIComponent(userId)}`, { schema: publicProfileSchema });
  searchUsers = (query: string) => this.request(`/api/v1/users?${new URLSearchParams({ query, limit: '20' })}`, { schema: userSearchResponseSchema });
  friendRequests = (direction: 'incoming' | 'outgoing') =>
    this.request(`/api/v1/users/me/friend-requests?direction=${direction}`, { schema: friendRequestListSchema });
  sendFriendRequest = (userId: string) =>
    this.request('/api/v1/users/me/friend-requests', { method: 'POST', body: { userId }, schema: friendRequestSchema });
  acceptFriendRequest = (requestId: string) =>
    this.request(`/api/v1/users/me/friend-requests/${encodeURIComponent(requestId)}/accept`, { method: 'POST', body: {}, schema: friendRequestSchema });
  rejectFriendRequest = (requestId: string) =>
    this.request(`/api/v1/users/me/friend-requests/${encodeURIComponent(requestId)}/reject`, { method: 'POST', body: {}, schema: friendRequestSchema });
  friends = () => this.request('/api/v1/users/me/friends', { schema: friendListSchema });
  unfriend = (userId: string) => this.request(`/api/v1/users/me/friends/${encodeURIComponent(userId)}`, { method: 'DELETE' });
  blocks = () => this.request('/api/v1/users/me/blocks', { schema: blockListSchema });
  block = (userId: string) => this.request(`/api/v1/users/me/blocks/${encodeURIComponent(userId)}`, { method: 'PUT' });
  unblock = (userId: string) => this.request(`/api/v1/users/me/blocks/${encodeURIComponent(userId)}`, { method: 'DELETE' });

  // ---- rooms, messages, presence ----

  rooms = (cursor?: string) =>
    this.request(`/api/v1/rooms?${new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) })}`, { schema: roomListResponseSchema });
  publicRooms = (query?: string) =>
    this.request(`/api/v1/rooms/public?${new URLSearchParams({ limit: '50', ...(query ? { query } : {}) })}`, { schema: publicRoomListSchema });
  createGroup = (request: CreateRoomRequest) => this.request('/api/v1/rooms', { method: 'POST', body: request, schema: roomSummarySchema });
  openDirect = (userId: string) => this.request('/api/v1/rooms/direct', { method: 'POST', body: { userId }, schema: roomSummarySchema });
  joinRoom = (roomId: string) => this.request(`/api/v1/rooms/${roomId}/join`, { method: 'POST', body: {}, schema: roomSummarySchema });
  leaveRoom = (roomId: string) => this.request(`/api/v1/rooms/${roomId}/leave`, { method: 'POST', body: {} });
  members = (roomId: string) => this.request(`/api/v1/rooms/${roomId}/members`, { schema: roomMemberListSchema });
  addMembers = (roomId: string, userIds: string[]) =>
    this.request(`/api/v1/rooms/${roomId}/members`, { method: 'POST', body: { userIds }, schema: roomMemberListSchema });
  removeMember = (roomId: string, userId: string) => this.request(`/api/v1/rooms/${roomId}/members/${userId}`, { method: 'DELETE' });
  history = (roomId: string, query: Partial<HistoryQuery>) => {
    const params = new URLSearchParams({ limit: String(query.limit ?? 50) });
    if (query.before) params.set('before', query.before);
    if (query.after) params.set('after', query.after);
    if (query.beforeSeq !== undefined) params.set('beforeSeq', String(query.beforeSeq));
    if (query.afterSeq !== undefined) params.set('afterSeq', String(query.afterSeq));
    return this.request(`/api/v1/rooms/${roomId}/messages?${params}`, { schema: historyResponseSchema });
  };
  /**
   * A page of a message's thread read from its latest reply backwards (in sequence order):
   * without `beforeSeq` the latest replies, with it (the first reply held) the ones before.
   */
  replies = (roomId: string, messageId: string, page: { beforeSeq?: number; limit?: number } = {}) => {
    const params = new URLSearchParams({ limit: String(page.limit ?? THREAD_PANEL_PAGE) });
    if (page.beforeSeq !== undefined) params.set('beforeSeq', String(page.beforeSeq));
    else params.set('from', 'end');
    return this.request(`/api/v1/rooms/${roomId}/messages/${messageId}/replies?${params}`, { schema: threadResponseSchema });
  };
  /** Uploads one file to a room (progress through `onProgress`); renews the session once on a 401. */
  uploadAttachment = async (roomId: string, file: Blob, name: string, onProgress?: (sent: number, total: number) => void): Promise<MessageAttachment> => {
    const url = `${this.baseUrl}/api/v1/rooms/${roomId}/attachments?${new URLSearchParams({ name })}`;
    try {
      return await uploadWithProgress({ url, token: this.accessToken, file, ...(onProgress ? { onProgress } : {}) });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'unauthorized' || !(await this.refresh().catch(() => null))) throw error;
      return uploadWithProgress({ url, token: this.accessToken, file, ...(onProgress ? { onProgress } : {}) });
    }
  };
  /** Short-lived signed URLs of a room's file (relative to the API's origin). */
  attachmentLinks = async (roomId: string, attachmentId: string) => {
    const links = await this.request(`/api/v1/rooms/${roomId}/attachments/${attachmentId}/links`, { schema: attachmentLinksSchema });
    return { ...links, url: `${this.baseUrl}${links.url}`, ...(links.thumbnailUrl ? { thumbnailUrl: `${this.baseUrl}${links.thumbnailUrl}` } : {}) };
  };
  markRead = (roomId: string, messageId: string) =>
    this.request(`/api/v1/rooms/${roomId}/read`, { method: 'POST', body: { messageId }, schema: readMarkerResponseSchema });
  presence = (userIds: string[]) =>
    this.request(`/api/v1/presence?${new URLSearchParams({ userIds: userIds.join(',') })}`, { schema: presenceListSchema });

  // ---- room settings, timeline, invite links ----

  updateRoom = (roomId: string, patch: UpdateRoomRequest) => this.request(`/api/v1/rooms/${roomId}`, { method: 'PATCH', body: patch, schema: roomUpdatedSchema });
  setMemberRole = (roomId: string, userId: string, role: Exclude<MemberRole, 'owner'>) =>
    this.request(`/api/v1/rooms/${roomId}/members/${userId}/role`, { method: 'PUT', body: { role } });
  setRoomPreferences = (roomId: string, preferences: RoomPreferencesRequest) =>
    this.request(`/api/v1/rooms/${roomId}/preferences`, { method: 'PUT', body: preferences, schema: roomPreferencesSchema });
  roomEvents = (roomId: string) => this.request(`/api/v1/rooms/${roomId}/events?limit=200`, { schema: roomEventListSchema });
  createInvite = (roomId: string, expiresInHours: number) =>
    this.request(`/api/v1/rooms/${roomId}/invites`, { method: 'POST', body: { expiresInHours }, schema: createdInviteSchema });
  invites = (roomId: string) => this.request(`/api/v1/rooms/${roomId}/invites`, { schema: roomInviteListSchema });
  revokeInvite = (roomId: string, inviteId: string) => this.request(`/api/v1/rooms/${roomId}/invites/${inviteId}`, { method: 'DELETE' });
  previewInvite = (token: string) => this.request(`/api/v1/rooms/invites/${encodeURIComponent(token)}`, { schema: invitePreviewSchema });
  acceptInvite = (token: string) =>
    this.request(`/api/v1/rooms/invites/${encodeURIComponent(token)}/accept`, { method: 'POST', body: {}, schema: roomSummarySchema });

  // ---- the wire ----

  async request<T = undefined>(path: string, options: RequestOptions<T> = {}): Promise<T> {
    const auth = options.auth ?? true;
    let response = await this.send(path, options, auth);
    if (response.status === 401 && auth) {
      const renewed = await this.refresh().catch(() => null);
      if (renewed) response = await this.send(path, options, auth);
    }
    if (!response.ok) throw await apiErrorFromResponse(response);
    if (!options.schema || response.status === 204) return undefined as T;
    const parsed = options.schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new ApiError('internal', 'The server sent an answer this client does not understand', response.status);
    return parsed.data;
  }

  private async send<T>(path: string, options: RequestOptions<T>, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.accessToken) headers.authorization = `Bearer ${this.accessToken}`;
    if (options.cookieTransport) headers[TOKEN_TRANSPORT_HEADER] = 'cookie';
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, {
        method: options.method ?? 'GET',
        headers,
        credentials: 'same-origin',
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch {
      const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
      throw new ApiError(offline ? 'offline' : 'network', 'The request did not reach the server');
    }
  }

  private async doRefresh(): Promise<AuthSession | null> {
    const endedBefore = this.sessionsEnded;
    try {
      const session = await this.request('/api/v1/auth/refresh', {
        method: 'POST',
        body: {},
        schema: authSessionSchema,
        auth: false,
        cookieTransport: true,
      });
      // The session ended while this renewal was on the wire (a logout, the server's word): the
      // renewal must not sign the tab back in. Signed out means out.
      if (this.sessionsEnded !== endedBefore) return null;
      this.startSession(session);
      return session;
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'unauthorized' || error.code === 'invalid')) {
        this.endSession('refused');
        return null;
      }
      // The network or the server is down: keep the session, try again a little later.
      if (this.user) this.scheduleRefresh(15);
      throw error;
    }
  }

  private startSession(session: AuthSession): AuthUser {
    this.accessToken = session.accessToken;
    this.user = session.user;
    this.signOutReason = null;
    // A minute early, or a fifth of the lifetime for short-lived tokens.
    const lead = Math.min(this.refreshLeadSeconds, session.expiresIn * 0.2);
    this.scheduleRefresh(Math.max(5, session.expiresIn - lead));
    this.emit();
    for (const listener of this.tokenListeners) listener(session.accessToken);
    return session.user;
  }

  private endSession(reason: SignOutReason): void {
    const wasSignedIn = this.user !== null;
    this.sessionsEnded += 1;
    if (wasSignedIn || reason === 'signed-out') this.signOutReason = reason;
    clearTimeout(this.refreshTimer);
    this.accessToken = null;
    this.user = null;
    if (wasSignedIn) this.emit();
  }

  private scheduleRefresh(inSeconds: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      void this.refresh().catch(() => undefined);
    }, inSeconds * 1000);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.user);
  }
}
