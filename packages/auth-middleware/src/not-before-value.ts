/** Parses a not-before value (`sessionsNotBeforeKey` of @parley/keyspace); undefined for a missing or malformed one. */
export function parseNotBefore(value: string | null | undefined): { notBefore: number; reason: string } | undefined {
  const match = value ? /^(\d+):([a-z-]+)$/.exec(value) : null;
  return match ? { notBefore: Number(match[1]), reason: match[2]! } : undefined;
}
