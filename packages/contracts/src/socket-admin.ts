import { z } from 'zod';

/** Operator endpoints of a chat-socket pod (`/admin/v1/sockets`, never routed by the ingress). */
export const socketCountSchema = z.object({ count: z.number().int().nonnegative() });
export type SocketCount = z.infer<typeof socketCountSchema>;

export const shedSocketsRequestSchema = z.strictObject({
  /** How many of this pod's sockets to move elsewhere. */
  count: z.number().int().min(1).max(1_000_000),
});
export type ShedSocketsRequest = z.infer<typeof shedSocketsRequestSchema>;

export const shedSocketsResponseSchema = z.object({
  /** Sockets that will be shed (at most the pod's count). */
  shedding: z.number().int().nonnegative(),
});
export type ShedSocketsResponse = z.infer<typeof shedSocketsResponseSchema>;
