/** Keys one service owns but all of its pods share. */

/** One-time code (email verification, password reset) of one purpose and subject (auth). */
export function oneTimeCodeKey(prefix: string, purpose: string, subject: string): string {
  return `${prefix}otp:${purpose}:${subject}`;
}

/** Key prefix of one auth rate limit (`login-ip`, `code-account`…); the limiter appends `:<key>`. */
export function authRateLimitPrefix(prefix: string, limit: string): string {
  return `${prefix}rl:${limit}`;
}

/** Key prefix of one user-service write limit; the limiter appends `:<key>`. */
export function userRateLimitPrefix(prefix: string, limit: string): string {
  return `${prefix}user:rate:${limit}`;
}

/** Lease of a snowflake worker id (0..1023), so no two chat-socket pods mint ids with the same one. */
export function workerIdLeaseKey(prefix: string, workerId: number): string {
  return `${prefix}snowflake:worker:${workerId}`;
}

/**
 * BullMQ's prefix: every queue's keys are `<bullPrefix>:<queue>:…`. Used only by @parley/queues
 * (and by tests and scripts that look into a queue through it).
 */
export function bullPrefix(prefix: string): string {
  return `${prefix}bull`;
}
