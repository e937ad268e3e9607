import { fileURLToPath } from 'node:url';

/** The repository root (from src/ in tests and dist/ when built alike). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
