import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type PrivateRedisCluster } from './private-redis-cluster.js';

describe('a private Redis Cluster for cluster and failover tests', () => {
  let cluster: PrivateRedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    const seeds = cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
    client = new Cluster(seeds, { redisOptions: { maxRetriesPerRequest: 3 }, clusterRetryStrategy: () => 200 });
  }, 90_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('runs six nodes, three primaries each with one replica, every slot served', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(new Set(cluster.nodes.map((node) => node.port)).size).toBe(6);
    expect(cluster.url).toMatch(/^redis\+cluster:\/\/127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){5}$/);
    const primaries = await cluster.primaryPorts();
    expect(primaries).toHaveLength(3);
    for (const primary of primaries) expect(await cluster.replicaPorts(primary)).toHaveLength(1);
    const info = await cluster.cli(primaries[0]!, 'CLUSTER', 'INFO');
    expect(info).toContain('cluster_state:ok');
    expect(info).toContain('cluster_slots_assigned:16384');
  });

  it('spreads keys over the primaries, and keeps one hash tag on one primary', async () => {
    const owners = new Set<number>();
    for (let index = 0; index < 30; index += 1) owners.add(await cluster.primaryOf(`spread:${index}`));
    expect(owners.size).toBe(3);
    const tagged = new Set<number>();
    for (let index = 0; index < 10; index += 1) tagged.add(await cluster.primaryOf(`{one}:key:${index}`));
    expect(tagged.size).toBe(1);
  });

  it('hands a primary over to its replica with CLUSTER FAILOVER, keeping what was written', async () => {
    await client.set('{failover}:kept', 'before');
    const primary = await cluster.primaryOf('{failover}:kept');
    const [replica] = await cluster.replicaPorts(primary);
    await cluster.failover(replica!);
    expect(await cluster.primaryOf('{failover}:kept')).toBe(replica);
    expect(await cluster.replicaPorts(replica!)).toContain(primary);
    expect(await client.get('{failover}:kept')).toBe('before');
  });

  it('refuses a failover on a node that is not a replica', async () => {
    const [primary] = await cluster.primaryPorts();
    await expect(cluster.failover(primary!)).rejects.toThrow(/CLUSTER FAILOVER/);
  });

  it('promotes the replica of a killed primary, the client follows, and the restarted node rejoins as a replica', async () => {
    const primary = await cluster.primaryOf('{crash}:kept');
    const [replica] = await cluster.replicaPorts(primary);
    // Written and WAITed for on the primary's own connection: the replica has it before the
    // crash (otherwise a crash may lose it, which is what WAIT is for).
    const node = client.nodes('master').find((candidate) => candidate.options.port === primary)!;
    await node.set('{crash}:kept', 'before');
    expect(await node.wait(1, 5_000)).toBe(1);
    await cluster.kill(primary);
    expect(cluster.nodes.find((node) => node.port === primary)!.alive()).toBe(false);
    expect(await cluster.primaryOf('{crash}:kept')).toBe(replica);
    expect(await client.get('{crash}:kept')).toBe('before');
    await client.set('{crash}:after', 'written');
    expect(await client.get('{crash}:after')).toBe('written');

    // Restarted (as a supervisor would), the crashed node comes back as the new primary's replica.
    await cluster.restart(primary);
    expect(await cluster.replicaPorts(replica!)).toContain(primary);
    await expect(cluster.restart(primary)).rejects.toThrow(/is running/);
  });
});
