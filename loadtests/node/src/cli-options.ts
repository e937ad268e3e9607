import { parseArgs } from 'node:util';

/** "60s", "2m", "1h", "500ms" or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text} (use e.g. 500ms, 60s, 2m, 1h)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

export function parsePositiveInt(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return value;
}

export const SCENARIOS = ['fanout', 'soak', 'connect-storm', 'auth-burst'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface LoadOptions {
  scenario: ScenarioName;
  baseUrl: string;
  /** Socket.IO endpoints (default: the base URL); several spread the sockets round-robin. */
  socketUrls: string[];
  sockets: number;
  roomSize: number;
  rate: number;
  durationMs: number;
  ackTimeoutMs: number;
  drainMs: number;
  bodyBytes: number;
  reportDir: string;
  /** Fail (exit 1) when delivery p99 is above this. */
  maxP99Ms: number | undefined;
  /** connect-storm: handshakes started per second. */
  connectRate: number;
  /** auth-burst: logins per second at the top of the ramp. */
  authRate: number;
  registerConcurrency: number;
}

export const LOAD_USAGE = `Usage: npm run load -- [options]

  --scenario <name>       fanout (default) | soak | connect-storm | auth-burst
  --base-url <url>        the platform's origin (default http://localhost:8080)
  --socket-url <url>      connect sockets here instead (repeatable: spread round-robin)
  --sockets <n>           sockets = users (default 200; soak 200; connect-storm 1000)
  --room-size <n>         members per room (default 10)
  --rate <n>              messages per second across all sockets (default 100)
  --duration <d>          how long to send (default 60s; soak 30m), e.g. 500ms, 60s, 2m
  --ack-timeout <d>       a send without ack after this counts as failed (default 10s)
  --drain <d>             longest wait for missing deliveries after the last ack (default 10s)
  --body-bytes <n>        pad message bodies to about this size (default: short bodies)
  --max-p99 <ms>          exit 1 when delivery p99 exceeds this
  --connect-rate <n>      connect-storm: handshakes started per second (default 500)
  --auth-rate <n>         auth-burst: peak logins per second (default 50)
  --report-dir <dir>      where the HTML and JSON reports go (default loadtests/reports)

Registering users needs REGISTER_LIMIT_PER_IP on the auth service above the number of sockets.
The last line of output is one JSON object (sent, acknowledged, expectedDeliveries, received,
lost, duplicated, misdelivered, p50/p95/p99DeliveryMs, p99AckMs, …).`;

export function parseLoadOptions(argv: string[], defaultReportDir: string): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'fanout' },
      'base-url': { type: 'string', default: 'http://localhost:8080' },
      'socket-url': { type: 'string', multiple: true },
      sockets: { type: 'string' },
      'room-size': { type: 'string', default: '10' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string' },
      'ack-timeout': { type: 'string', default: '10s' },
      drain: { type: 'string', default: '10s' },
      'body-bytes': { type: 'string', default: '0' },
      'max-p99': { type: 'string' },
      'connect-rate': { type: 'string', default: '500' },
      'auth-rate': { type: 'string', default: '50' },
      'register-concurrency': { type: 'string', default: '16' },
      'report-dir': { type: 'string', default: defaultReportDir },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${LOAD_USAGE}\n`);
    process.exit(0);
  }
  const scenario = values.scenario as ScenarioName;
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown --scenario ${values.scenario}; one of ${SCENARIOS.join(', ')}`);
  const baseUrl = values['base-url'];
  return {
    scenario,
    baseUrl,
    socketUrls: values['socket-url'] ?? [baseUrl],
    sockets: parsePositiveInt(values.sockets ?? (scenario === 'connect-storm' ? '1000' : '200'), 'sockets'),
    roomSize: parsePositiveInt(values['room-size'], 'room-size'),
    rate: parsePositiveInt(values.rate, 'rate'),
    durationMs: parseDuration(values.duration ?? (scenario === 'soak' ? '30m' : '60s')),
    ackTimeoutMs: parseDuration(values['ack-timeout']),
    drainMs: parseDuration(values.drain),
    bodyBytes: Number(values['body-bytes']),
    reportDir: values['report-dir'],
    maxP99Ms: values['max-p99'] === undefined ? undefined : Number(values['max-p99']),
    connectRate: parsePositiveInt(values['connect-rate'], 'connect-rate'),
    authRate: parsePositiveInt(values['auth-rate'], 'auth-rate'),
    registerConcurrency: parsePositiveInt(values['register-concurrency'], 'register-concurrency'),
  };
}
