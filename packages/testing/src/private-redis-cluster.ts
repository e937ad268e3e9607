import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@parley/ports';

const run = promisify(execFile);

export interface RedisClusterOptions {
  primaries?: number;
  replicasPerPrimary?: number;
}

export interface RedisClusterNode {
  port: number;
  pid(): number;
  /** Whether the process is still running (false after `kill`). */
  alive(): boolean;
}

/**
 * A Redis Cluster of this test's own: real `redis-server` processes (Debian's, from PATH) on
 * free loopback ports, AOF on (`appendfsync always`) and `noeviction`, as Parley requires.
 */
export interface PrivateRedisCluster {
  /** `redis+cluster://` URL naming every node as a seed (the form REDIS_URL takes). */
  url: string;
  nodes: RedisClusterNode[];
  dir: string;
  /** Ports of the current primaries, as the cluster reports them (after failovers too). */
  primaryPorts(): Promise<number[]>;
  /** Ports of the replicas of the primary on `primaryPort`. */
  replicaPorts(primaryPort: number): Promise<number[]>;
  /** The port of the primary that serves this key's slot. */
  primaryOf(key: string): Promise<number>;
  /**
   * CLUSTER FAILOVER on the replica at `replicaPort` (a planned, lossless hand-over), resolving
   * once that node reports itself a primary and the cluster is ok again.
   */
  failover(replicaPort: number): Promise<void>;
  /**
   * SIGKILLs the node at `port` (a crash). When it was a primary, resolves once one of its
   * replicas has been promoted and the cluster is ok again.
   */
  kill(port: number): Promise<void>;
  /**
   * Starts a killed node again on its port and directory (its nodes.conf and AOF): it rejoins,
   * as a replica of whoever took over its slots. Resolves once the cluster counts it attached.
   */
  restart(port: number): Promise<void>;
  /** Runs redis-cli against one node and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Stops every node and removes the directory. */
  stop(): Promise<void>;
}

const CLI_TIMEOUT_MS = 10_000;

class PortTakenError extends Error {}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: CLI_TIMEOUT_MS });
  return stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await check().catch((error: unknown) => {
        if (error instanceof PortTakenError) throw error;
        return false;
      })
    )
      return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `CLUSTER NODES` lines of live nodes: port, flags, primary id (for replicas), own id. */
interface NodeLine {
  id: string;
  port: number;
  primary: boolean;
  primaryId: string;
  failed: boolean;
}

function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id, address, flags, primaryId] = line.split(' ') as [string, string, string, string];
      const port = Number(/:(\d+)@/.exec(address)?.[1]);
      return { id, port, primary: flags.includes('master'), primaryId, failed: /fail/.test(flags) };
    });
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<PrivateRedisCluster> {
  // Ports are picked free and bound a moment later; on a busy machine another process can take
  // one in between. Then the whole cluster starts again on other ports.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startRedisClusterOnce(options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

async function startRedisClusterOnce(options: RedisClusterOptions): Promise<PrivateRedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicasPerPrimary = options.replicasPerPrimary ?? 1;
  if (primaries < 3) throw new Error('redis-cli --cluster create needs at least 3 primaries');
  const dir = await mkdtemp(join(tmpdir(), 'parley-redis-cluster-'));
  const count = primaries * (1 + replicasPerPrimary);
  const ports: number[] = [];
  // Cluster bus = port + 10000: both must be free.
  while (ports.length < count) {
    const port = await freePort();
    if (port + 10_000 <= 65_535 && !ports.includes(port) && (await portIsFree(port + 10_000))) ports.push(port);
  }
  const children = new Map<number, ChildProcess>();
  const nodes: RedisClusterNode[] = ports.map((port) => ({
    port,
    pid: () => children.get(port)!.pid!,
    alive: () => {
      const child = children.get(port)!;
      return child.exitCode === null && child.signalCode === null;
    },
  }));

  const stopNode = (port: number, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const child = children.get(port);
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const stop = async () => {
    await Promise.all(ports.map((port) => stopNode(port, 'SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  };

  const spawnNode = (port: number) => {
    const child = spawn(
      'redis-server',
      [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--dir', join(dir, String(port)),
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        // Short enough for a test to see a crashed primary replaced in seconds.
        '--cluster-node-timeout', '2000',
        '--appendonly', 'yes',
        '--appendfsync', 'always',
        '--save', '',
        '--maxmemory-policy', 'noeviction',
        // A replica's first sync starts at once instead of after Redis 7's default 5 s.
        '--repl-diskless-sync-delay', '0',
      ],
      { stdio: 'ignore' },
    );
    children.set(port, child);
  };

  try {
    for (const port of ports) {
      await mkdir(join(dir, String(port)));
      spawnNode(port);
    }
    for (const port of ports) {
      await waitFor(`node ${port} answering`, async () => {
        const child = children.get(port)!;
        // Another process took its port (or its bus port) between the check and the bind.
        if (child.exitCode !== null) throw new PortTakenError(`redis-server on ${port} exited with ${child.exitCode} while starting`);
        return (await cli(port, 'PING')).trim() === 'PONG';
      });
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes'],
      { timeout: 60_000 },
    );
    const clusterOk = () => waitFor('cluster_state:ok on every live node', async () => {
      const live = nodes.filter((node) => node.alive());
      const states = await Promise.all(live.map((node) => cli(node.port, 'CLUSTER', 'INFO')));
      return states.every((state) => state.includes('cluster_state:ok'));
    });
    await clusterOk();
    // Every node must also know every replica as attached (redis-cli returns before gossip settles).
    await waitFor('replicas attached', async () => {
      const lines = parseNodes(await cli(ports[0]!, 'CLUSTER', 'NODES'));
      return lines.filter((line) => !line.primary && line.primaryId !== '-').length === primaries * replicasPerPrimary;
    });
    // ...and streaming: a replica still in its first sync confirms no WAIT.
    await waitFor('replicas in sync', async () => {
      const infos = await Promise.all(ports.map((port) => cli(port, 'INFO', 'replication')));
      return infos.filter((info) => info.includes('role:slave') && info.includes('master_link_status:up')).length === primaries * replicasPerPrimary;
    });

    const livePort = () => nodes.find((node) => node.alive())!.port;
    const nodeLines = async () => parseNodes(await cli(livePort(), 'CLUSTER', 'NODES'));
    const primaryPorts = async () => (await nodeLines()).filter((line) => line.primary && !line.failed).map((line) => line.port);
    const replicaPorts = async (primaryPort: number) => {
      const lines = await nodeLines();
      const primary = lines.find((line) => line.port === primaryPort);
      if (!primary) throw new Error(`no node on port ${primaryPort}`);
      return lines.filter((line) => line.primaryId === primary.id && !line.failed).map((line) => line.port);
    };
    return {
      url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
      nodes,
      dir,
      primaryPorts,
      replicaPorts,
      async primaryOf(key) {
        const slot = Number((await cli(livePort(), 'CLUSTER', 'KEYSLOT', key)).trim());
        const slots = (await cli(livePort(), '--json', 'CLUSTER', 'SLOTS')).trim();
        const ranges = JSON.parse(slots) as Array<[number, number, [string, number, string]]>;
        const range = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`slot ${slot} is not served`);
        return range[2][1];
      },
      async failover(replicaPort) {
        const role = (await cli(replicaPort, 'ROLE')).trim().split('\n');
        // Redis gives up a manual failover silently after 5 s (CLUSTER_MF_TIMEOUT) when the
        // replica has not caught up with its primary's paused offset in time, as on a loaded
        // machine: start from a streaming replica, and ask again, as an operator would.
        if (role[0] === 'slave') await waitFor(`node ${replicaPort} streaming from its primary`, async () => (await cli(replicaPort, 'ROLE')).includes('connected'));
        const promoted = async () => (await cli(replicaPort, 'ROLE')).startsWith('master');
        for (let attempt = 1; ; attempt += 1) {
          if (attempt > 1 && (await promoted())) break;
          const answer = (await cli(replicaPort, 'CLUSTER', 'FAILOVER')).trim();
          if (answer !== 'OK') throw new Error(`CLUSTER FAILOVER on ${replicaPort}: ${answer}`);
          try {
            await waitFor(`node ${replicaPort} promoted`, promoted, 10_000);
            break;
          } catch (error) {
            if (attempt === 3) throw error;
          }
        }
        // The old primary, now a replica, must have synced before it can stand in for the new
        // one: a crash right after the hand-over would otherwise find no replica to promote.
        const formerPrimary = Number(role[2]);
        await waitFor(`node ${formerPrimary} attached as a replica`, async () => {
          const now = await cli(formerPrimary, 'ROLE');
          return now.startsWith('slave') && now.includes('connected');
        });
        await clusterOk();
      },
      async kill(port) {
        const wasPrimary = (await primaryPorts()).includes(port);
        const replicas = wasPrimary ? await replicaPorts(port) : [];
        await stopNode(port, 'SIGKILL');
        if (replicas.length > 0) {
          await waitFor(`a replica of ${port} promoted`, async () => {
            const roles = await Promise.all(replicas.map((replica) => cli(replica, 'ROLE')));
            return roles.some((role) => role.startsWith('master'));
          });
        }
        await clusterOk();
      },
      async restart(port) {
        if (nodes.find((node) => node.port === port)?.alive()) throw new Error(`node ${port} is running`);
        spawnNode(port);
        await waitFor(`node ${port} answering`, async () => (await cli(port, 'PING')).trim() === 'PONG');
        await waitFor(`node ${port} attached as a replica`, async () => {
          const role = await cli(port, 'ROLE');
          return role.startsWith('slave') && role.includes('connected');
        });
        await clusterOk();
      },
      cli,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
