import type { IncomingMessage, ServerResponse } from 'node:http';

/** Name of the affinity cookie, like ingress-nginx's cookie affinity for the polling fallback. */
export const AFFINITY_COOKIE = 'parley_affinity';

/**
 * The instances behind one service. Requests rotate round-robin over the instances not marked
 * down; requests of sticky routes (socket.io) carry a cookie naming their instance, so polling
 * requests of one session reach the process that holds it. An instance that refused a
 * connection (it died and the launcher is restarting it) is skipped for a while, as an ingress
 * drops a pod that fails its readiness probe.
 */
export class UpstreamPool {
  private next = 0;
  /** Per instance: until when (epoch ms) it is skipped. */
  private readonly downUntil: number[];

  constructor(readonly targets: string[]) {
    if (targets.length === 0) throw new Error('an upstream pool needs at least one target');
    this.downUntil = targets.map(() => 0);
  }

  /** Skips instance `index` for `forMs` (unless every instance is down). */
  markDown(index: number, forMs: number, now = Date.now()): void {
    this.downUntil[index] = now + forMs;
  }

  pick(req: IncomingMessage, sticky: boolean): { target: string; index: number; fromCookie: boolean } {
    if (sticky) {
      const index = affinityFromCookie(req.headers.cookie);
      if (index !== undefined && index < this.targets.length) {
        return { target: this.targets[index]!, index, fromCookie: true };
      }
    }
    const now = Date.now();
    let index = this.next % this.targets.length;
    for (let tried = 0; tried < this.targets.length && this.downUntil[index]! > now; tried += 1) index = (index + 1) % this.targets.length;
    this.next = index + 1;
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
