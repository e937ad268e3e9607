import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tools/containers/{src,dist}/repo-paths.*). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const STAND_INS_DIR = join(REPO_ROOT, 'tools', 'containers', 'stand-ins');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'parley');
