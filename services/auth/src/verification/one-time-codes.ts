import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Redis } from '@parley/redis';
import { oneTimeCodeKey } from '@parley/keyspace';

export type CodePurpose = 'email-verification' | 'password-reset';

/** `missing`: none issued, expired, used, or replaced by a newer one. */
export type CodeCheck = { status: 'ok' } | { status: 'wrong'; attemptsLeft: number } | { status: 'exhausted' } | { status: 'missing' };

export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;

/**
 * Counts the attempt before the comparison, so even concurrent guesses get at most
 * CODE_MAX_ATTEMPTS comparisons; never creates the hash when it is gone.
 */
const TAKE_ATTEMPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local fields = redis.call('HMGET', KEYS[1], 'salt', 'hash')
return { attempts, fields[1], fields[2] }
`;

/**
 * Six-digit one-time codes in Redis, stored only as a salted SHA-256 hash, valid 10 minutes,
 * dead after 5 wrong attempts; issuing a new code for the same subject replaces the old one.
 */
export class OneTimeCodes {
  constructor(
    private readonly redis: Redis,
    private readonly redisKeyPrefix: string,
  ) {}

  async issue(purpose: CodePurpose, subject: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const salt = randomBytes(16).toString('hex');
    const key = this.key(purpose, subject);
    await this.redis
      .multi()
      .del(key)
      .hset(key, { salt, hash: digest(salt, code), attempts: 0 })
      .expire(key, CODE_TTL_SECONDS)
      .exec();
    return code;
  }

  async check(purpose: CodePurpose, subject: string, code: string): Promise<CodeCheck> {
    const key = this.key(purpose, subject);
    const taken = (await this.redis.eval(TAKE_ATTEMPT, 1, key)) as [number, string | null, string | null] | null;
    if (!taken) return { status: 'missing' };
    const [attempts, salt, stored] = taken;
    if (!salt || !stored || attempts > CODE_MAX_ATTEMPTS) {
      await this.redis.del(key);
      return { status: salt && stored ? 'exhausted' : 'missing' };
    }
    if (matches(digest(salt, code), stored)) {
      // Whoever deletes it used it: a code works once even if two confirmations race.
      return (await this.redis.del(key)) === 1 ? { status: 'ok' } : { status: 'missing' };
    }
    if (attempts >= CODE_MAX_ATTEMPTS) {
      await this.redis.del(key);
      return { status: 'exhausted' };
    }
    return { status: 'wrong', attemptsLeft: CODE_MAX_ATTEMPTS - attempts };
  }

  private key(purpose: CodePurpose, subject: string): string {
    return oneTimeCodeKey(this.redisKeyPrefix, purpose, subject);
  }
}

function digest(salt: string, code: string): string {
  return createHash('sha256').update(`${salt}:${code}`).digest('hex');
}

function matches(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
