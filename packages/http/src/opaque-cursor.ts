import { z } from 'zod';
import { ValidationError } from '@parley/errors';

export interface OpaqueCursor<Position> {
  encode(position: Position): string;
  /** The position a cursor names; a 400 for anything this codec did not issue. */
  decode(cursor: string): Position;
}

/**
 * Pagination cursors are base64url JSON of `{v, ...position}`, validated again on the way in
 * against the position's schema (docs/decisions/opaque-cursors.md): a crafted cursor is a 400,
 * never a value cast by PostgreSQL (`::bigint`, `::uuid`) into a 500. The version lets a
 * position's shape change; cursors of another version are refused and clients start over.
 */
export function opaqueCursor<Shape extends z.ZodRawShape>(version: number, position: Shape): OpaqueCursor<z.infer<z.ZodObject<Shape>>> {
  const schema = z.strictObject({ v: z.literal(version), ...position });
  return {
    encode(value) {
      return Buffer.from(JSON.stringify({ v: version, ...value }), 'utf8').toString('base64url');
    },
    decode(cursor) {
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw invalidCursor();
      const { v: _version, ...rest } = parsed.data as Record<string, unknown>;
      return rest as z.infer<z.ZodObject<Shape>>;
    },
  };
}

function invalidCursor(): ValidationError {
  return new ValidationError('The query is invalid', [{ path: 'cursor', message: 'is not a cursor this endpoint issued' }]);
}
