import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity.js';

/** What presenting a refresh token led to (`familyId`: the session the new token continues). */
export type RotationResult =
  | { outcome: 'rotated' | 'grace'; userId: string; familyId: string; refreshToken: string }
  | { outcome: 'reuse_detected'; userId: string }
  | { outcome: 'invalid' };

/** Where a session began, as the request said (recorded for its owner's sessions list). */
export interface SessionClient {
  userAgent?: string | null;
  ip?: string | null;
}

/** One live session (refresh-token family) of a user. */
export interface SessionRow {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export interface RefreshTokenSettings {
  ttlSeconds: number;
  /** After a token's first use, presenting it again within this window yields a fresh token instead of a revocation. */
  reuseGraceSeconds: number;
}

interface TokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  user_agent: string | null;
  ip: string | null;
}

/** A family is live while it holds a token that is unused, unrevoked and unexpired. */
const LIVE_TOKEN = `revoked_at IS NULL AND used_at IS NULL AND expires_at > now()`;

/** SHA-256 (hex) of an opaque refresh token: the only form in which tokens are stored. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Opaque, single-use refresh tokens in families. Each use rotates: the token is marked used
 * and a successor joins its family. A used token presented again after the grace window is a
 * replay (one of the two holders is a thief), so the whole family is revoked.
 */
export class RefreshTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: RefreshTokenSettings,
  ) {}

  /** Starts a new family (a login or a registration): a new session, `familyId` its id. */
  async issue(
    userId: string,
    manager?: EntityManager,
    familyId: string = randomUUID(),
    client: SessionClient = {},
  ): Promise<{ refreshToken: string; familyId: string }> {
    const created = await this.insert(manager ?? this.dataSource.manager, userId, familyId, new Date(), client);
    return { refreshToken: created.token, familyId };
  }

  rotate(token: string): Promise<RotationResult> {
    const tokenHash = hashRefreshToken(token);
    return this.dataSource.transaction(async (manager): Promise<RotationResult> => {
      // The row lock serialises concurrent refreshes of the same token.
      const rows: TokenRow[] = await manager.query(
        `SELECT id, user_id, family_id, expires_at, used_at, revoked_at, user_agent, ip
           FROM auth.refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
        [tokenHash],
      );
      const row = rows[0];
      const now = new Date();
      if (!row || row.revoked_at || row.expires_at.getTime() <= now.getTime()) return { outcome: 'invalid' };

      if (row.used_at) {
        if (now.getTime() - row.used_at.getTime() < this.settings.reuseGraceSeconds * 1000) {
          const created = await this.insert(manager, row.user_id, row.family_id, now, { userAgent: row.user_agent, ip: row.ip });
          return { outcome: 'grace', userId: row.user_id, familyId: row.family_id, refreshToken: created.token };
        }
        await this.revokeFamily(row.family_id, manager, now);
        return { outcome: 'reuse_detected', userId: row.user_id };
      }

      const created = await this.insert(manager, row.user_id, row.family_id, now, { userAgent: row.user_agent, ip: row.ip });
      await manager.query(`UPDATE auth.refresh_tokens SET used_at = $2, replaced_by_id = $3 WHERE id = $1`, [
        row.id,
        now,
        created.id,
      ]);
      return { outcome: 'rotated', userId: row.user_id, familyId: row.family_id, refreshToken: created.token };
    });
  }

  /**
   * Logout: revokes the family of `token` and names it, also when it was revoked before (a
   * repeated logout ends the session's access tokens again); null for unknown tokens.
   */
  async revokeFamilyOf(token: string): Promise<{ userId: string; familyId: string } | null> {
    const rows: Array<{ user_id: string; family_id: string }> = await this.dataSource.query(
      `SELECT user_id, family_id FROM auth.refresh_tokens WHERE token_hash = $1`,
      [hashRefreshToken(token)],
    );
    const row = rows[0];
    if (!row) return null;
    await this.revokeFamily(row.family_id, this.dataSource.manager, new Date());
    return { userId: row.user_id, familyId: row.family_id };
  }

  /** Every session of a user ends (password reset, logout-all). Returns how many tokens were revoked. */
  async revokeAllOfUser(userId: string, manager?: EntityManager): Promise<number> {
    const [, affected] = (await (manager ?? this.dataSource.manager).query(
      `UPDATE auth.refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    )) as [unknown, number];
    return affected;
  }

  /** The user's live sessions, most recently used first. */
  async listSessions(userId: string): Promise<SessionRow[]> {
    const rows: Array<{ id: string; created_at: Date; last_used_at: Date; user_agent: string | null; ip: string | null }> =
      await this.dataSource.query(
        `SELECT family_id AS id, min(created_at) AS created_at, max(created_at) AS last_used_at,
                (array_agg(user_agent ORDER BY created_at))[1] AS user_agent,
                (array_agg(ip ORDER BY created_at))[1] AS ip
           FROM auth.refresh_tokens
          WHERE user_id = $1
          GROUP BY family_id
         HAVING count(*) FILTER (WHERE ${LIVE_TOKEN}) > 0
          ORDER BY max(created_at) DESC
          LIMIT 200`,
        [userId],
      );
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at, lastUsedAt: row.last_used_at, userAgent: row.user_agent, ip: row.ip }));
  }

  /** Ends one live session of this user; false when the user has no such live session (someone else's, say). */
  async revokeSessionOf(userId: string, familyId: string): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE auth.refresh_tokens SET revoked_at = now()
        WHERE user_id = $1 AND family_id = $2 AND revoked_at IS NULL
          AND EXISTS (SELECT 1 FROM auth.refresh_tokens WHERE user_id = $1 AND family_id = $2 AND ${LIVE_TOKEN})`,
      [userId, familyId],
    )) as [unknown, number];
    return affected > 0;
  }

  /** Every session of the user but `keepFamilyId` ends; returns the sessions ended. */
  async revokeOthersOfUser(userId: string, keepFamilyId: string, manager: EntityManager): Promise<string[]> {
    const [rows] = (await manager.query(
      `UPDATE auth.refresh_tokens SET revoked_at = now()
        WHERE user_id = $1 AND family_id <> $2 AND revoked_at IS NULL
        RETURNING family_id`,
      [userId, keepFamilyId],
    )) as [Array<{ family_id: string }>, number];
    return [...new Set(rows.map((row) => row.family_id))];
  }

  /** Deletes tokens that expired more than a day ago (kept a little for reuse forensics). */
  async purgeExpired(): Promise<number> {
    const [, affected] = (await this.dataSource.query(
      `DELETE FROM auth.refresh_tokens WHERE expires_at < now() - interval '1 day'`,
    )) as [unknown, number];
    return affected;
  }

  private async revokeFamily(familyId: string, manager: EntityManager, now: Date): Promise<void> {
    await manager.query(`UPDATE auth.refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`, [
      familyId,
      now,
    ]);
  }

  private async insert(
    manager: EntityManager,
    userId: string,
    familyId: string,
    now = new Date(),
    client: SessionClient = {},
  ): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    await manager.getRepository(RefreshTokenEntity).insert({
      id,
      userId,
      familyId,
      tokenHash: hashRefreshToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.settings.ttlSeconds * 1000),
      usedAt: null,
      revokedAt: null,
      replacedById: null,
      userAgent: client.userAgent ? client.userAgent.slice(0, 256) : null,
      ip: client.ip ? client.ip.slice(0, 64) : null,
    });
    return { id, token };
  }
}
