import type { IncomingMessage, ServerResponse } from 'node:http';

/** Name of the affinity cookie, like ingress-nginx's cookie affinity for the polling fallback. */
export const AFFINITY_COOKIE = 'parley_affinity';

/**
 * The instances behind one service. Requests rotate round-robin; requests of sticky routes
 * (socket.io) carry a cookie naming their instance, so polling requests of one session reach
 * the process that holds it.
 */
export class UpstreamPool {
  private next = 0;

  constructor(readonly targets: string[]) {
    if (targets.length === 0) throw new Error('an upstream pool needs at least one target');
  }

  pick(req: IncomingMessage, sticky: boolean): { target: string; index: number; fromCookie: boolean } {
    if (sticky) {
      const index = affinityFromCookie(req.headers.cookie);
      if (index !== undefined && index < this.targets.length) {
        return { target: this.targets[index]!, index, fromCookie: true };
      }
    }
    const index = this.next % this.targets.length;
    this.next += 1;
    return { target: this.targets[index]!, index, fromCookie: false };
  }

  static setAffinity(res: ServerResponse, index: number): void {
    res.setHeader('set-cookie', `${AFFINITY_COOKIE}=${index}; Path=/socket.io; HttpOnly; SameSite=Lax`);
  }
}

function affinityFromCookie(header: string | undefined): number | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === AFFINITY_COOKIE && value !== undefined && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}
