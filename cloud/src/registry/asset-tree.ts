/**
 * Rules of the asset hierarchy (site -> asset -> component, at most MAX_ASSET_DEPTH levels
 * under the site), as pure functions over what the store loaded.
 */
export const MAX_ASSET_DEPTH = 5;

export interface TreeNode {
  readonly id: string;
  readonly parentId: string | null;
}

/**
 * Checks moving `assetId` (whose subtree is `subtreeHeight` levels tall, 1 for a leaf) under
 * `newParentChain`: the new parent and its ancestors, nearest first. Returns the asset's new
 * depth, or why the move is refused.
 */
export function placeUnder(
  assetId: string | null,
  subtreeHeight: number,
  newParentChain: readonly string[],
): { readonly ok: true; readonly depth: number } | { readonly ok: false; readonly reason: 'cycle' | 'too_deep'; readonly depth: number } {
  const depth = newParentChain.length + 1;
  if (assetId !== null && newParentChain.includes(assetId)) return { ok: false, reason: 'cycle', depth };
  if (depth + subtreeHeight - 1 > MAX_ASSET_DEPTH) return { ok: false, reason: 'too_deep', depth };
  return { ok: true, depth };
}

/** Descendants of `rootId` level by level (children first), from a site's parent links. */
export function descendantsByLevel(rootId: string, nodes: readonly TreeNode[]): string[][] {
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.parentId === null) continue;
    const list = children.get(n.parentId) ?? [];
    list.push(n.id);
    children.set(n.parentId, list);
  }
  const levels: string[][] = [];
  const seen = new Set([rootId]);
  let frontier = [rootId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) for (const c of children.get(id) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        next.push(c);
      }
    if (next.length > 0) levels.push(next);
    frontier = next;
  }
  return levels;
}
