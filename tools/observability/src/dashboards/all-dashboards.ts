import { authDashboard } from './auth.js';
import { buildDashboard, type DashboardSpec } from './dashboard-kit.js';
import { parleyOverview } from './parley-overview.js';
import { queuesPersistence } from './queues-persistence.js';
import { socketFanout } from './socket-fanout.js';

/** The dashboards of observability/grafana/dashboards/, by file name. */
export const DASHBOARDS: Record<string, DashboardSpec> = {
  'parley-overview.json': parleyOverview,
  'parley-socket-fanout.json': socketFanout,
  'parley-queues-persistence.json': queuesPersistence,
  'parley-auth.json': authDashboard,
};

export function dashboardFiles(): Record<string, string> {
  return Object.fromEntries(Object.entries(DASHBOARDS).map(([file, spec]) => [file, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`]));
}
