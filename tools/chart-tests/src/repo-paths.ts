import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tools/chart-tests/{src,dist}/repo-paths.*). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'parley');
export const CHART_CI_DIR = join(CHART_DIR, 'ci');
export const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');
