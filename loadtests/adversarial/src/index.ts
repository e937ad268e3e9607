export { startAdversarialPlatform, ADVERSARIAL_ENV } from './adversarial-platform.js';
export type { AdversarialPlatform, PlatformProcess } from './adversarial-platform.js';
export { runAdversarial, resultsJson, FAST_SETTINGS, FULL_SETTINGS } from './run-adversarial.js';
export type { AdversarialSettings } from './run-adversarial.js';
export type { CaseResult } from './case-result.js';
export { formatResultsTable } from './results-table.js';
export { FAULTS } from './cases/fault-matrix.js';
export type { FaultName, FaultMatrixSettings } from './cases/fault-matrix.js';
