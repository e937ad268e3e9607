export { runFuzz, fuzzFailures } from './fuzz-run.js';
export type { FuzzCaseKind, FuzzFinding, FuzzReport, FuzzSettings, FuzzTarget } from './fuzz-run.js';
export { prepareFuzzParties, victimSnapshot } from './fuzz-parties.js';
export type { FuzzParties, FuzzVictim } from './fuzz-parties.js';
export { REST_ROUTES, SOCKET_EVENTS } from './api-surface.js';
export type { FuzzIdentity, RestRoute, ServiceName, SocketEventTemplate } from './api-surface.js';
export { RandomSource } from './random-source.js';
export { formatFuzzReport } from './fuzz-report.js';
