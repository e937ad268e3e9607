/** "Ana", "Ana and Ben", "Ana, Ben and Cy". */
function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Who reacted with one emoji, said briefly: everyone up to three people, otherwise the first two
 * and how many others ("Ana, Ben and 3 others"). `count` wins when the server sent fewer ids than
 * reactions, so the total stays right.
 */
export function reactorSummary(userIds: readonly string[], count: number, nameOf: (userId: string) => string): string {
  const total = Math.max(count, userIds.length);
  const names = userIds.map(nameOf);
  if (names.length === 0) return total === 1 ? '1 person' : `${total} people`;
  if (names.length === total && total <= 3) return listed(names);
  const shown = names.slice(0, 2);
  const others = total - shown.length;
  return `${shown.join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`;
}
