/**
 * Auth limits raised for setup speed only: registering thousands of users from one IP needs
 * REGISTER_LIMIT_PER_IP above the default 20/hour, and cheap argon2 parameters make
 * registration fast; neither is on the measured message path.
 */
export const BENCH_SETUP_ENV: Record<string, string> = {
  REGISTER_LIMIT_PER_IP: '1000000',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
};
