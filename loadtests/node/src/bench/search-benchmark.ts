import { fileURLToPath } from 'node:url';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { chooseSearchStrategy, createChatDataSource, explainMessageSearch } from '@parley/chat-store';
import { messageSearchResponseSchema } from '@parley/contracts';
import {
  createTestDatabase,
  deleteRedisPrefix,
  runScriptToCompletion,
  startPrivatePostgres,
  startServiceProcess,
  startTestTokenIssuer,
  testRedisPrefix,
  testServiceEnv,
  type ServiceProcess,
} from '@parley/testing';
import { int, markdownTable, ms, textTable } from '../report/format.js';
import { LatencySamples } from '../run/latency-samples.js';
import type { ScenarioOutput } from '../scenarios/scenario-output.js';
import { BENCH_USER_ID, loadSearchDataset, mostCommonFiller, PLANTED_WORDS, type SearchDatasetShape } from './search-dataset.js';

export interface SearchBenchOptions extends SearchDatasetShape {
  /** Timed requests per query and scope (after a few untimed ones). */
  iterations: number;
  /** A PostgreSQL server for the throwaway database (else a private server of the benchmark's own). */
  postgresServerUrl: string | undefined;
}

export interface SearchQueryResult {
  query: string;
  scope: 'all' | 'room';
  /** Messages of the whole table that contain the words. */
  matchingInTable: number;
  /** Results on the first page (limit 20). */
  firstPage: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const SERVICES = fileURLToPath(new URL('../../../../services/', import.meta.url));
const WARM_UP = 5;

/**
 * `npm run bench:search`: loads a throwaway database (rooms, memberships, messages), starts one
 * chat-socket process on it, and times `GET /api/v1/search/messages` end to end (HTTP, auth,
 * membership, the query, snippets) for words of decreasing frequency, across the user's rooms
 * and within one; then prints each query's plan summary (which index answered it).
 */
export async function runSearchBenchmark(options: SearchBenchOptions, output: ScenarioOutput): Promise<{ completed: boolean }> {
  const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at start ${loadBefore}`;
  const privatePostgres = options.postgresServerUrl ? undefined : await startPrivatePostgres();
  const database = await createTestDatabase('bench_search', options.postgresServerUrl ?? privatePostgres!.url);
  const redisPrefix = testRedisPrefix('bench_search');
  const issuer = await startTestTokenIssuer();
  let chat: ServiceProcess | undefined;
  const client = new pg.Client({ connectionString: database.url });
  const dataSource = createChatDataSource({ url: database.url, poolSize: 1, applicationName: 'bench-search' });
  try {
    output.status('migrating the chat schema');
    const migrated = await runScriptToCompletion(`${SERVICES}chat-socket/dist/migrate.js`, { ...testServiceEnv(database.url, redisPrefix), LOG_LEVEL: 'warn' });
    if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrated.output}`);
    await client.connect();
    const load = await loadSearchDataset(client, options, output.status);
    const { rows: sizes } = await client.query(
      // Summed over the partitions (a partitioned table and index have no storage of their own).
      `SELECT pg_size_pretty(sum(pg_table_size(t.relid))) AS table_size,
              (SELECT pg_size_pretty(sum(pg_relation_size(i.relid))) FROM pg_partition_tree('chat.messages_search_simple_idx') AS i) AS index_size
         FROM pg_partition_tree('chat.messages') AS t`,
    );
    const size = sizes[0] as { table_size: string; index_size: string };

    chat = await startServiceProcess('chat-socket', `${SERVICES}chat-socket/dist/main.js`, {
      ...testServiceEnv(database.url, redisPrefix),
      LOG_LEVEL: 'info',
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWKS_URL: issuer.jwksUrl,
    });
    const token = await issuer.mint({ id: BENCH_USER_ID, username: 'bench_searcher' });
    const { rows: roomRows } = await client.query('SELECT room_id FROM chat.room_members WHERE user_id = $1 ORDER BY room_id LIMIT 1', [BENCH_USER_ID]);
    const oneRoom = (roomRows[0] as { room_id: string }).room_id;

    const filler = await mostCommonFiller(client);
    const queries = [filler, PLANTED_WORDS.common, PLANTED_WORDS.medium, PLANTED_WORDS.rare, PLANTED_WORDS.unique, PLANTED_WORDS.absent, `${PLANTED_WORDS.common} ${PLANTED_WORDS.medium}`];
    const results: SearchQueryResult[] = [];
    const plans: Array<{ query: string; scope: string; strategy: string; indexes: string[]; executionMs: number }> = [];
    await dataSource.initialize();
    for (const query of queries) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM chat.messages WHERE to_tsvector('simple'::regconfig, body) @@ websearch_to_tsquery('simple'::regconfig, $1) AND kind = 'message' AND deleted_at IS NULL`, [query]);
      const matchingInTable = (rows[0] as { n: number }).n;
      for (const scope of ['all', 'room'] as const) {
        const params = new URLSearchParams({ q: query, limit: '20', ...(scope === 'room' ? { roomId: oneRoom } : {}) });
        const samples = new LatencySamples();
        let firstPage = 0;
        for (let index = 0; index < WARM_UP + options.iterations; index += 1) {
          const started = performance.now();
          const response = await fetch(`${chat.url}/api/v1/search/messages?${params}`, { headers: { authorization: `Bearer ${token}` } });
          const body = messageSearchResponseSchema.parse(await response.json());
          const elapsed = performance.now() - started;
          if (response.status !== 200) throw new Error(`search answered ${response.status}`);
          firstPage = body.results.length;
          if (index >= WARM_UP) samples.add(elapsed);
        }
        results.push({ query, scope, matchingInTable, firstPage, p50: samples.percentile(50), p95: samples.percentile(95), p99: samples.percentile(99), max: samples.max() });
        output.status(`  ${scope.padEnd(4)} ${query.padEnd(20)} p50 ${ms(samples.percentile(50))} ms  p99 ${ms(samples.percentile(99))} ms`);
        const request = { userId: BENCH_USER_ID, query, ...(scope === 'room' ? { roomId: oneRoom } : {}), limit: 21 };
        const strategy = await chooseSearchStrategy(dataSource, 'simple', request);
        const plan = await explainMessageSearch(dataSource, 'simple', request, strategy);
        plans.push({ query, scope, strategy, ...summarizePlan(plan) });
      }
    }

    const headers = ['query', 'scope', 'matching in table', 'first page', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
    const rows = results.map((result) => [result.query, result.scope, int(result.matchingInTable), String(result.firstPage), ms(result.p50), ms(result.p95), ms(result.p99), ms(result.max)]);
    const planHeaders = ['query', 'scope', 'strategy', 'indexes used', 'execution ms'];
    const planRows = plans.map((plan) => [plan.query, plan.scope, plan.strategy, plan.indexes.join(', ') || '(none: sequential scan)', ms(plan.executionMs)]);
    output.line(`Search benchmark: ${int(options.messages)} messages in ${int(options.rooms)} rooms, the user in ${options.userRooms} rooms, ${options.iterations} requests per query and scope, one at a time, through HTTP`);
    output.line(`machine: ${machine}`);
    output.line(`load: ${Object.entries(load.seconds).map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`).join(', ')}; table ${size.table_size}, search index ${size.index_size}`);
    output.line('');
    output.line(textTable(headers, rows));
    output.line('');
    output.line(textTable(planHeaders, planRows));
    output.line('');
    output.line(markdownTable(headers, rows));
    output.line('');
    output.line(markdownTable(planHeaders, planRows));
    output.line(
      JSON.stringify({
        benchmark: 'search',
        machine,
        messages: options.messages,
        rooms: options.rooms,
        userRooms: options.userRooms,
        iterations: options.iterations,
        via: 'http',
        tableSize: size.table_size,
        indexSize: size.index_size,
        loadSeconds: load.seconds,
        results: results.map((result) => ({ ...result, p50: round(result.p50), p95: round(result.p95), p99: round(result.p99), max: round(result.max) })),
        plans: plans.map((plan) => ({ ...plan, executionMs: round(plan.executionMs) })),
      }),
    );
    return { completed: true };
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await client.end().catch(() => undefined);
    await chat?.stop();
    await issuer.close();
    await database.drop().catch(() => undefined);
    await deleteRedisPrefix(redisPrefix).catch(() => undefined);
    await privatePostgres?.destroy();
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

/** The indexes a plan reads and its execution time (EXPLAIN ANALYZE text format). */
export function summarizePlan(lines: string[]): { indexes: string[]; executionMs: number } {
  const indexes = new Set<string>();
  let executionMs = Number.NaN;
  for (const line of lines) {
    const index = /(Bitmap Index Scan|Index Only Scan|Index Scan)(?: Backward)? (?:using|on) (\S+)/.exec(line);
    if (index) indexes.add(`${index[2]} (${index[1]!.toLowerCase()})`);
    const execution = /Execution Time: ([\d.]+) ms/.exec(line);
    if (execution) executionMs = Number(execution[1]);
  }
  return { indexes: [...indexes], executionMs };
}
