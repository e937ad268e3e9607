import { randomBytes } from 'node:crypto';
import { ApiError, type PlatformApi } from './platform-api.js';
import { forEachLimited } from './concurrency.js';
import { buildTopology, planRooms, type Topology } from './topology.js';

export interface CohortUser {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** The users and rooms of one run: user i owns socket i. */
export interface Cohort {
  runId: string;
  users: CohortUser[];
  topology: Topology;
}

export interface CohortSettings {
  api: PlatformApi;
  users: number;
  roomSize: number;
  /** Parallel registrations (argon2 hashing in auth is the bottleneck). */
  concurrency?: number;
  onProgress?: (done: number, total: number, what: 'users' | 'rooms') => void;
}

/** Registers fresh users through the API and puts them in rooms of `roomSize` (one room each). */
export async function provisionCohort(settings: CohortSettings): Promise<Cohort> {
  const { api } = settings;
  const runId = randomBytes(4).toString('hex');
  const password = `load-${randomBytes(9).toString('base64url')}`;
  const users: CohortUser[] = new Array(settings.users);
  let registered = 0;
  await forEachLimited(settings.users, settings.concurrency ?? 16, async (index) => {
    const username = `lt_${runId}_${index}`;
    try {
      const session = await api.register({ email: `${username}@example.com`, username, password });
      users[index] = {
        id: session.user.id,
        username,
        password,
        accessToken: session.accessToken,
        refreshToken: session.refreshToken ?? '',
      };
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        throw new Error(
          `registration was rate limited after ${registered} users: start the platform with a higher REGISTER_LIMIT_PER_IP ` +
            '(e.g. REGISTER_LIMIT_PER_IP=100000 npm start) or register fewer users',
        );
      }
      throw error;
    }
    registered += 1;
    settings.onProgress?.(registered, settings.users, 'users');
  });

  const plan = planRooms(settings.users, settings.roomSize);
  const roomIds: string[] = new Array(plan.length);
  let created = 0;
  await forEachLimited(plan.length, 8, async (index) => {
    const [creator, ...others] = plan[index]!;
    const room = await api.createRoom(
      users[creator!]!.accessToken,
      `load ${runId} ${index}`,
      others.map((member) => users[member]!.id),
    );
    roomIds[index] = room.id;
    created += 1;
    settings.onProgress?.(created, plan.length, 'rooms');
  });
  return { runId, users, topology: buildTopology(roomIds, plan, settings.users) };
}
