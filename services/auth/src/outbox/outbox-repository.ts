import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxPayload } from './outbox-message.entity.js';

export interface OutboxMessage {
  id: string;
  kind: string;
  payload: OutboxPayload;
  attempts: number;
}

/** While a message is being delivered, other relays skip it for this long. */
const LEASE_SECONDS = 30;

export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Call inside the transaction of the change the message announces. */
  async add(manager: EntityManager, kind: string, payload: OutboxPayload): Promise<string> {
    const id = randomUUID();
    await manager.query(`INSERT INTO auth.outbox (id, kind, payload) VALUES ($1, $2, $3::jsonb)`, [
      id,
      kind,
      JSON.stringify(payload),
    ]);
    return id;
  }

  /** Drops a user's undelivered messages of `kind` (an account deleted before its profile was provisioned). */
  async cancelPending(manager: EntityManager, kind: string, userId: string): Promise<void> {
    await manager.query(
      `UPDATE auth.outbox SET delivered_at = now(), last_error = 'cancelled: superseded'
        WHERE kind = $1 AND payload->>'userId' = $2 AND delivered_at IS NULL`,
      [kind, userId],
    );
  }

  /**
   * Leases pending messages for delivery: `FOR UPDATE SKIP LOCKED` so concurrent relays (other
   * pods) never pick the same row, and the pushed-back `next_attempt_at` keeps them away while
   * this one delivers outside any transaction. With `id`, only that message (due or not).
   */
  async claim(options: { id?: string; limit: number }): Promise<OutboxMessage[]> {
    const [rows] = (await this.dataSource.query(
      `UPDATE auth.outbox SET next_attempt_at = now() + make_interval(secs => $1)
        WHERE id IN (
          SELECT id FROM auth.outbox
           WHERE delivered_at IS NULL
             AND ($2::uuid IS NULL AND next_attempt_at <= now() OR id = $2::uuid)
           ORDER BY next_attempt_at
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, payload, attempts`,
      [LEASE_SECONDS, options.id ?? null, options.limit],
    )) as [OutboxMessage[], number];
    return rows;
  }

  async markDelivered(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth.outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  async markFailed(id: string, retryInSeconds: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth.outbox
          SET attempts = attempts + 1, last_error = $3, next_attempt_at = now() + make_interval(secs => $2)
        WHERE id = $1`,
      [id, retryInSeconds, error.slice(0, 1000)],
    );
  }
}
