import { shedSocketsResponseSchema, socketCountSchema, type ShedSocketsRequest } from '@parley/contracts';
import { errorMessageOf } from '../kube/api-errors.js';

/** Where one chat-socket pod serves its admin endpoints (`http://<pod IP>:<http port>`). */
export interface PodEndpoint {
  pod: string;
  baseUrl: string;
}

export class PodRequestError extends Error {
  override name = 'PodRequestError';
}

/**
 * The chat-socket admin API (`/admin/v1/sockets`, bearer ADMIN_API_TOKEN), called on each pod
 * directly, never through the Service, since the counts and the shedding are per pod.
 */
export function createSocketAdminClient(adminToken: string, timeoutMs: number) {
  const call = async (endpoint: PodEndpoint, path: string, init: RequestInit = {}): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${endpoint.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${adminToken}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PodRequestError(`${endpoint.pod}: ${errorMessageOf(error)}`);
    }
    const text = await response.text();
    if (!response.ok) throw new PodRequestError(`${endpoint.pod}: ${path} answered ${response.status}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PodRequestError(`${endpoint.pod}: ${path} answered no JSON`);
    }
  };

  return {
    /** The pod's connected sockets. */
    async countSockets(endpoint: PodEndpoint): Promise<number> {
      const parsed = socketCountSchema.safeParse(await call(endpoint, '/admin/v1/sockets'));
      if (!parsed.success) throw new PodRequestError(`${endpoint.pod}: unexpected socket count`);
      return parsed.data.count;
    },
    /** Asks the pod to move `count` sockets away gracefully; resolves to how many it will. */
    async shedSockets(endpoint: PodEndpoint, count: number): Promise<number> {
      const body: ShedSocketsRequest = { count };
      const parsed = shedSocketsResponseSchema.safeParse(await call(endpoint, '/admin/v1/sockets/shed', { method: 'POST', body: JSON.stringify(body) }));
      if (!parsed.success) throw new PodRequestError(`${endpoint.pod}: unexpected shed answer`);
      return parsed.data.shedding;
    },
  };
}

export type SocketAdminClient = ReturnType<typeof createSocketAdminClient>;
