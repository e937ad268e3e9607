// Load profiles shared by the scenarios: PROFILE=smoke|average|stress picks the sizes unless
// the individual variables (SOCKETS, RATE, DURATION, …) are set.

const PROFILES = {
  smoke: { sockets: 20, roomSize: 4, rate: 10, duration: '20s', connectRate: 20, connectFor: '5s', authRate: 5 },
  average: { sockets: 500, roomSize: 10, rate: 250, duration: '2m', connectRate: 100, connectFor: '10s', authRate: 20 },
  stress: { sockets: 2000, roomSize: 10, rate: 2000, duration: '5m', connectRate: 500, connectFor: '10s', authRate: 50 },
};

export function profile() {
  const name = __ENV.PROFILE || 'smoke';
  const chosen = PROFILES[name];
  if (!chosen) throw new Error(`unknown PROFILE ${name}: one of ${Object.keys(PROFILES).join(', ')}`);
  return { name, ...chosen };
}
