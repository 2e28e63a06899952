/**
 * DAPO (arXiv:2503.14476) pieces that act on rewards and groups, outside the loss graph.
 */

/**
 * Dynamic sampling: keep only groups whose rewards are not all equal (such groups have zero
 * advantage under a group baseline and only dilute the batch). Returns the indices of kept groups.
 */
export function informativeGroups(rewards: readonly (readonly number[])[]): number[] {
  const keep: number[] = [];
  rewards.forEach((g, i) => {
    if (g.length > 1 && g.some((r) => r !== g[0])) keep.push(i);
  });
  return keep;
}

/**
 * Soft overlong punishment (DAPO eq. 13): 0 while `length <= maxLength - cacheLength`, then linear
 * down to -1 at `maxLength`, and -1 beyond. Lengths in tokens.
 */
export function overlongPenalty(length: number, maxLength: number, cacheLength: number): number {
  if (!(cacheLength > 0 && cacheLength <= maxLength)) {
    throw new RangeError(
      `cacheLength must be in (0, maxLength]; got ${cacheLength} with maxLength ${maxLength}`,
    );
  }
  const free = maxLength - cacheLength;
  if (length <= free) return 0;
  if (length <= maxLength) return (free - length) / cacheLength;
  return -1;
}
