import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { renderConfigTable } from './config-table.js';

describe('config table', () => {
  it('lists each variable once with its default, requiredness, description and every component using it', () => {
    const a = z.object({
      PORT: z.coerce.number().default(8081).describe('HTTP port.'),
      DATABASE_URL: z.string().describe('PostgreSQL URL.'),
    });
    const b = z.object({ DATABASE_URL: z.string().describe('Other text.'), OPTIONAL: z.string().optional().describe('A | pipe.') });
    const table = renderConfigTable([
      { component: 'auth', schema: a },
      { component: 'user', schema: b },
    ]);
    expect(table).toContain('| `DATABASE_URL` | auth, user | **required** | PostgreSQL URL. |');
    expect(table).toContain('| `PORT` | auth | `8081` | HTTP port. |');
    expect(table).toContain('| `OPTIONAL` | user | — | A \\| pipe. |');
  });
});
