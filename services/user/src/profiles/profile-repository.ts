import { Brackets, In, type EntityManager } from 'typeorm';
import { ConflictError } from '@parley/errors';
import { isUniqueViolation } from '@parley/db';
import { containsPattern, prefixPattern } from './like-pattern.js';
import { ProfileEntity } from './profile.entity.js';

export interface ProfileIdentity {
  id: string;
  username: string;
  email: string | null;
}

export interface ProfileDetailsPatch {
  displayName?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
  mentionDigest?: boolean;
}

export interface ProfileSearch {
  callerId: string;
  text: string;
  /** Lower-cased username the page starts after. */
  after?: string;
  limit: number;
}

const USERNAME_TAKEN = 'profiles_username_lower_key';

/** Profile rows. Built on an EntityManager so it works inside and outside transactions. */
export class ProfileRepository {
  constructor(private readonly manager: EntityManager) {}

  private get profiles() {
    return this.manager.getRepository(ProfileEntity);
  }

  findById(id: string): Promise<ProfileEntity | null> {
    return this.profiles.findOneBy({ id });
  }

  async exists(id: string): Promise<boolean> {
    return this.profiles.existsBy({ id });
  }

  /** Profiles by id, for rendering lists of other users. */
  async findByIds(ids: readonly string[]): Promise<Map<string, ProfileEntity>> {
    const unique = [...new Set(ids)];
    const rows = unique.length === 0 ? [] : await this.profiles.findBy({ id: In(unique) });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * Safe when several first requests of a user race, and when provisioning and lazy creation
   * race. Returns whether this call created the row.
   *
   * `ON CONFLICT DO NOTHING` without a target: with `ON CONFLICT (id)`, two racing inserts of the
   * same new profile could fail on the username index instead (PostgreSQL only skips conflicts
   * on the arbiter index), and a first request answered 409. When nothing was inserted, the
   * row with this id tells a repeat from a username that belongs to another profile.
   */
  async insertIfMissing(identity: ProfileIdentity): Promise<boolean> {
    const rows = (await this.manager.query(
      `INSERT INTO users.profiles (id, username, username_lower, email, email_lower)
       VALUES ($1, $2, lower($2), $3, lower($3))
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [identity.id, identity.username, identity.email],
    )) as { id: string }[];
    if (rows.length > 0) return true;
    if (await this.exists(identity.id)) return false;
    throw usernameTaken();
  }

  /**
   * The auth service is the source of truth for username and email: take its values. The email
   * is the one registered with, so it is taken only while no later address state has arrived
   * (a provisioning retried late must not bring back an old or unconfirmed address).
   */
  async updateIdentity(identity: ProfileIdentity & { email: string }): Promise<void> {
    try {
      await this.manager.query(
        `UPDATE users.profiles
            SET username = $2, username_lower = lower($2),
                email = CASE WHEN email_version = 0 THEN $3 ELSE email END,
                email_lower = CASE WHEN email_version = 0 THEN lower($3) ELSE email_lower END,
                updated_at = CASE WHEN username IS DISTINCT FROM $2 OR (email_version = 0 AND email IS DISTINCT FROM $3)
                                  THEN now() ELSE updated_at END
          WHERE id = $1`,
        [identity.id, identity.username, identity.email],
      );
    } catch (error) {
      throw usernameConflictOr(error);
    }
  }

  /**
   * Applies the auth service's address state if it is newer than the one held: a repeated or
   * late message changes nothing. Returns whether it applied.
   */
  async applyEmailState(id: string, state: { email: string; emailVerified: boolean; version: number }): Promise<boolean> {
    const rows = (await this.manager.query(
      `UPDATE users.profiles
          SET email = $2, email_lower = lower($2), email_verified = $3, email_version = $4, updated_at = now()
        WHERE id = $1 AND email_version < $4
        RETURNING id`,
      [id, state.email, state.emailVerified, state.version],
    )) as [unknown[], number];
    return rows[0].length > 0;
  }

  async updateDetails(id: string, patch: ProfileDetailsPatch): Promise<void> {
    await this.profiles.update({ id }, { ...patch, updatedAt: () => 'now()' });
  }

  /**
   * Username prefix, display-name substring or exact email, all case-insensitive; never the
   * caller, nor anyone on either side of a block with the caller. Ordered by username.
   */
  search(search: ProfileSearch): Promise<ProfileEntity[]> {
    const query = this.profiles
      .createQueryBuilder('p')
      .where('p.id <> :callerId', { callerId: search.callerId })
      .andWhere(
        new Brackets((match) =>
          match
            .where('p.username_lower LIKE lower(:prefix)', { prefix: prefixPattern(search.text) })
            .orWhere('lower(p.display_name) LIKE lower(:contains)', { contains: containsPattern(search.text) })
            .orWhere('p.email_lower = lower(:email)', { email: search.text }),
        ),
      )
      .andWhere(
        `NOT EXISTS (
           SELECT 1 FROM users.blocks b
            WHERE (b.blocker_id = :callerId AND b.blocked_id = p.id)
               OR (b.blocker_id = p.id AND b.blocked_id = :callerId))`,
      )
      .orderBy('p.usernameLower', 'ASC')
      .limit(search.limit);
    if (search.after !== undefined) query.andWhere('p.username_lower > :after', { after: search.after });
    return query.getMany();
  }
}

function usernameConflictOr(error: unknown): unknown {
  return isUniqueViolation(error, USERNAME_TAKEN) ? usernameTaken() : error;
}

function usernameTaken(): ConflictError {
  return new ConflictError('The username belongs to another profile');
}
