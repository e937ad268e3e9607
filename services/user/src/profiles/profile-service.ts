import type {
  MailProfile,
  OwnProfile,
  ProfileEmailStateRequest,
  ProvisionProfileRequest,
  PublicProfile,
  UpdateProfileRequest,
  UserSearchQuery,
  UserSearchResponse,
} from '@parley/contracts';
import type { DataSource } from '@parley/db';
import { NotFoundError } from '@parley/errors';
import { ProfileRepository, type ProfileDetailsPatch } from './profile-repository.js';
import { toOwnProfile, toPublicProfile } from './profile-views.js';
import { decodeSearchCursor, encodeSearchCursor } from './search-cursor.js';

/** Who the verified access token says the caller is. */
export interface TokenIdentity {
  userId: string;
  username: string;
}

export class ProfileService {
  constructor(private readonly dataSource: DataSource) {}

  /** The users with these usernames (case-insensitive; unknown names are left out): chat-socket resolves @mentions with it. */
  async usersByUsername(usernames: string[]): Promise<Array<{ id: string; username: string }>> {
    return this.dataSource.query('SELECT id, username FROM users.profiles WHERE username_lower = ANY($1::text[]) ORDER BY username_lower', [
      usernames.map((name) => name.toLowerCase()),
    ]);
  }

  /** What a mention digest needs of these users (unknown ones left out). */
  async mailProfiles(userIds: string[]): Promise<MailProfile[]> {
    const rows: Array<{ id: string; username: string; display_name: string | null; email: string | null; email_verified: boolean; mention_digest: boolean }> =
      await this.dataSource.query(
        'SELECT id, username, display_name, email, email_verified, mention_digest FROM users.profiles WHERE id = ANY($1::uuid[]) ORDER BY id',
        [[...new Set(userIds)]],
      );
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      email: row.email,
      emailVerified: row.email_verified,
      mentionDigest: row.mention_digest,
    }));
  }

  private get profiles(): ProfileRepository {
    return new ProfileRepository(this.dataSource.manager);
  }

  /**
   * Makes sure the caller has a profile, creating it from the token's claims if the auth
   * service's provisioning call has not arrived yet (email stays null until it does).
   */
  async materialise(identity: TokenIdentity): Promise<void> {
    if (await this.profiles.exists(identity.userId)) return;
    await this.profiles.insertIfMissing({ id: identity.userId, username: identity.username, email: null });
  }

  /** Idempotent upsert from the auth service; `created` tells 201 from 200. */
  async provision(id: string, request: ProvisionProfileRequest): Promise<{ created: boolean; profile: OwnProfile }> {
    const profiles = this.profiles;
    const created = await profiles.insertIfMissing({ id, username: request.username, email: request.email });
    if (!created) await profiles.updateIdentity({ id, username: request.username, email: request.email });
    return { created, profile: await this.getOwn(id) };
  }

  /**
   * The auth service's address state (a confirmation, a changed address): applied if newer than
   * the one held, else nothing changes. A profile not provisioned yet is "not found", so the
   * auth outbox retries until it is.
   */
  async applyEmailState(id: string, state: ProfileEmailStateRequest): Promise<void> {
    const profiles = this.profiles;
    if (await profiles.applyEmailState(id, state)) return;
    if (!(await profiles.exists(id))) throw new NotFoundError('Profile not found');
  }

  /**
   * The account was deleted: its profile goes, and with it (ON DELETE CASCADE) its friendships,
   * friend requests and blocks both ways. Returns the people it had a block with (their cached
   * "may these two talk" answers are stale now). Idempotent.
   */
  async remove(id: string): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ other: string }> = await manager.query(
        `SELECT blocked_id AS other FROM users.blocks WHERE blocker_id = $1
         UNION SELECT blocker_id FROM users.blocks WHERE blocked_id = $1`,
        [id],
      );
      await manager.query(`DELETE FROM users.profiles WHERE id = $1`, [id]);
      return rows.map((row) => row.other);
    });
  }

  async getOwn(userId: string): Promise<OwnProfile> {
    const profile = await this.profiles.findById(userId);
    if (!profile) throw new NotFoundError('Profile not found');
    return toOwnProfile(profile);
  }

  /** Only the fields present change; `null` clears one. A blank bio counts as cleared. */
  async updateOwn(userId: string, request: UpdateProfileRequest): Promise<OwnProfile> {
    const patch: ProfileDetailsPatch = {};
    if (request.displayName !== undefined) patch.displayName = request.displayName;
    if (request.bio !== undefined) patch.bio = request.bio === '' ? null : request.bio;
    if (request.avatarUrl !== undefined) patch.avatarUrl = request.avatarUrl;
    if (request.mentionDigest !== undefined) patch.mentionDigest = request.mentionDigest;
    await this.profiles.updateDetails(userId, patch);
    return this.getOwn(userId);
  }

  /** Profiles stay visible to everyone signed in, blocks included: a block only hides from search. */
  async getPublic(id: string): Promise<PublicProfile> {
    const profile = await this.profiles.findById(id);
    if (!profile) throw new NotFoundError('No user with this id');
    return toPublicProfile(profile);
  }

  async search(callerId: string, query: UserSearchQuery): Promise<UserSearchResponse> {
    const after = query.cursor === undefined ? undefined : decodeSearchCursor(query.cursor);
    // One row more than asked tells whether another page exists.
    const rows = await this.profiles.search({
      callerId,
      text: query.query,
      limit: query.limit + 1,
      ...(after === undefined ? {} : { after }),
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      users: page.map(toPublicProfile),
      nextCursor: rows.length > query.limit && last ? encodeSearchCursor(last.usernameLower) : null,
    };
  }
}
