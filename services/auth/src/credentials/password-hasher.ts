import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export interface PasswordHashSettings {
  /** KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Spends the same argon2 time as `verify` and returns false: used for unknown accounts,
   * so response time does not reveal which logins exist.
   */
  verifyNothing(password: string): Promise<false>;
  /** The hash was made with other parameters than the current ones. */
  needsRehash(hash: string): boolean;
}

/** argon2id with the configured cost parameters. */
export function createPasswordHasher(settings: PasswordHashSettings): PasswordHasher {
  const options = {
    type: argon2.argon2id,
    memoryCost: settings.memoryCost,
    timeCost: settings.timeCost,
    parallelism: settings.parallelism,
  } as const;
  let decoy: Promise<string> | undefined;

  const verify = async (hash: string, password: string) => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  };

  return {
    hash: (password) => argon2.hash(password, options),
    verify,
    async verifyNothing(password) {
      decoy ??= argon2.hash(randomBytes(32).toString('base64url'), options);
      await verify(await decoy, password);
      return false;
    },
    needsRehash(hash) {
      try {
        return argon2.needsRehash(hash, options);
      } catch {
        return true;
      }
    },
  };
}
