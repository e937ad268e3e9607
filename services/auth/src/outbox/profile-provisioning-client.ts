import {
  ACCOUNT_DELETION_ENDPOINTS,
  INTERNAL_TOKEN_HEADER,
  profileEmailStatePath,
  profileEmailStateRequestSchema,
  provisionProfileRequestSchema,
} from '@parley/contracts';
import type { ProfileEmailPayload, ProfileProvisionPayload } from './outbox-message.entity.js';

export interface ProfileProvisioningClient {
  /** Resolves once the user service has the profile; throws otherwise. */
  provision(payload: ProfileProvisionPayload): Promise<void>;
  /** Resolves once the user service holds this address state or a newer one; throws otherwise (also before the profile exists). */
  setEmailState(payload: ProfileEmailPayload): Promise<void>;
  /** Resolves once the user service has removed the profile (also when it never had it); throws otherwise. */
  deleteProfile(userId: string): Promise<void>;
}

export interface ProfileProvisioningSettings {
  userServiceUrl: string;
  internalToken?: string;
  timeoutMs?: number;
}

/** `PUT /internal/v1/profiles/:id` and `PUT /internal/v1/profiles/:id/email` on the user service (idempotent there). */
export function createProfileProvisioningClient(settings: ProfileProvisioningSettings): ProfileProvisioningClient {
  const base = settings.userServiceUrl.endsWith('/') ? settings.userServiceUrl : `${settings.userServiceUrl}/`;
  const put = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(new URL(path, base), {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(settings.internalToken ? { [INTERNAL_TOKEN_HEADER]: settings.internalToken } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(settings.timeoutMs ?? 2_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`user service answered ${response.status}`);
  };
  return {
    async provision(payload) {
      const body = provisionProfileRequestSchema.parse({ username: payload.username, email: payload.email });
      await put(`internal/v1/profiles/${encodeURIComponent(payload.userId)}`, body);
    },
    async setEmailState(payload) {
      const body = profileEmailStateRequestSchema.parse({ email: payload.email, emailVerified: payload.emailVerified, version: payload.version });
      await put(profileEmailStatePath(payload.userId), body);
    },
    async deleteProfile(userId) {
      await deleteInternal(new URL(ACCOUNT_DELETION_ENDPOINTS.profile(userId), base), settings, 'user service');
    },
  };
}

/** An idempotent internal DELETE: 2xx and 404 both mean "gone". */
export async function deleteInternal(url: URL, settings: { internalToken?: string; timeoutMs?: number }, target: string): Promise<void> {
  const response = await fetch(url, {
    method: 'DELETE',
    headers: settings.internalToken ? { [INTERNAL_TOKEN_HEADER]: settings.internalToken } : {},
    signal: AbortSignal.timeout(settings.timeoutMs ?? 5_000),
  });
  await response.body?.cancel();
  if (!response.ok && response.status !== 404) throw new Error(`${target} answered ${response.status}`);
}
