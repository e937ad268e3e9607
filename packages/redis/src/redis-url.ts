/**
 * REDIS_URL names either one Redis (`redis://`, `rediss://` for TLS) or a Redis Cluster by its
 * seed nodes: `redis+cluster://[user:password@]host:port,host:port,…` (`rediss+cluster://` for
 * TLS). The client learns every other node, and each failover, from the seeds
 * (docs/decisions/0035-redis-cluster.md).
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; seeds: Array<{ host: string; port: number }>; username?: string; password?: string; tls: boolean };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/;

export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

/** Parses REDIS_URL; throws with a reason a config error can show. */
export function parseRedisUrl(url: string): RedisTarget {
  const match = CLUSTER_SCHEME.exec(url);
  if (!match) {
    if (!/^rediss?:\/\//.test(url)) throw new Error('must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL');
    return { kind: 'single', url };
  }
  const [, scheme, rest] = match as unknown as [string, string, string];
  // Path and query carry nothing for a cluster (a cluster has database 0 only).
  const authority = rest.split(/[/?#]/)[0] ?? '';
  const at = authority.lastIndexOf('@');
  const credentials = at >= 0 ? authority.slice(0, at) : '';
  const hosts = at >= 0 ? authority.slice(at + 1) : authority;
  const seeds = hosts.split(',').map((entry) => {
    const seed = /^([a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry.trim());
    const port = Number(seed?.[2]);
    if (!seed || port < 1 || port > 65_535) throw new Error(`cluster seed "${entry}" is not host:port`);
    return { host: seed[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (seeds.length === 0 || hosts.trim() === '') throw new Error('a cluster URL names at least one host:port seed');
  const colon = credentials.indexOf(':');
  const username = colon >= 0 ? decodeURIComponent(credentials.slice(0, colon)) : decodeURIComponent(credentials);
  const password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : undefined;
  return {
    kind: 'cluster',
    seeds,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme === 'rediss',
  };
}

/** Whether a key prefix carries a Redis Cluster hash tag (`{…}` with something inside). */
export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

