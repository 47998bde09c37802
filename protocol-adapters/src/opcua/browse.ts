import { AttributeIds, BrowseDirection, DataType, NodeClassMask, resolveNodeId, type ClientSession, type ReferenceDescription } from 'node-opcua';
import { AdapterError } from '../errors.js';
import { openSession, type OpcuaConnectOptions } from './connection.js';

/** A variable found by `browse`: what a site config needs to subscribe to it. */
export interface BrowsedVariable {
  readonly nodeId: string;
  /** Browse names from the start node, `/`-separated: `WindTurbine/active_power`. */
  readonly browsePath: string;
  readonly displayName: string;
  /** `Double`, `Float`, `Boolean`..., or the data type's node id when not a built-in type. */
  readonly dataType: string;
  readonly access: readonly ('read' | 'write')[];
}

export interface BrowseOptions extends Omit<OpcuaConnectOptions, 'endpoint'> {
  /** How deep to descend below the start node (default 6). */
  readonly maxDepth?: number;
  /** Stop after this many variables (default 10,000). */
  readonly maxVariables?: number;
}

/**
 * Lists the variables below `nodeId` (default: the Objects folder), following hierarchical
 * references (Organizes, HasComponent, HasProperty...) breadth first.
 */
export async function browse(endpoint: string, nodeId = 'i=85', options: BrowseOptions = {}): Promise<BrowsedVariable[]> {
  const opened = await openSession({ ...options, endpoint });
  const session = opened.session;
  try {
    return await browseSession(session, nodeId, options.maxDepth ?? 6, options.maxVariables ?? 10_000);
  } catch (err) {
    if (err instanceof AdapterError) throw err;
    throw new AdapterError('DCMMS_OPCUA_BROWSE_FAILED', `browse of ${nodeId} on ${endpoint} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    await opened.close();
  }
}

async function browseSession(session: ClientSession, start: string, maxDepth: number, maxVariables: number): Promise<BrowsedVariable[]> {
  const found: { ref: ReferenceDescription; path: string }[] = [];
  const seen = new Set<string>([resolveNodeId(start).toString()]);
  let frontier: { nodeId: string; path: string }[] = [{ nodeId: start, path: '' }];
  for (let depth = 0; depth < maxDepth && frontier.length && found.length < maxVariables; depth++) {
    const results = await session.browse(
      frontier.map((f) => ({
        nodeId: f.nodeId,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'HierarchicalReferences',
        includeSubtypes: true,
        nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable,
        resultMask: 63,
      })),
    );
    const next: { nodeId: string; path: string }[] = [];
    results.forEach((res, i) => {
      if (!res.statusCode.isGood()) throw new AdapterError('DCMMS_OPCUA_BROWSE_FAILED', `browse of ${frontier[i]!.nodeId} failed: ${res.statusCode.name}`);
      for (const ref of res.references ?? []) {
        const id = ref.nodeId.toString();
        if (seen.has(id)) continue;
        seen.add(id);
        const p = frontier[i]!.path ? `${frontier[i]!.path}/${ref.browseName.name ?? ''}` : (ref.browseName.name ?? '');
        // NodeClass: Object = 1, Variable = 2.
        if (ref.nodeClass === 2 && found.length < maxVariables) found.push({ ref, path: p });
        // Skip the standard Server object: thousands of diagnostics nobody wants in a site config.
        if (id !== 'ns=0;i=2253') next.push({ nodeId: id, path: p });
      }
    });
    frontier = next;
  }
  if (!found.length) return [];
  const attrs = await session.read(
    found.flatMap((f) => [
      { nodeId: f.ref.nodeId, attributeId: AttributeIds.DataType },
      { nodeId: f.ref.nodeId, attributeId: AttributeIds.UserAccessLevel },
    ]),
  );
  return found.map((f, i) => {
    const dtNode = attrs[2 * i]!.value.value as { namespace?: number; value?: unknown; toString(): string } | null;
    const level = Number(attrs[2 * i + 1]!.value.value ?? 0);
    const dataType = dtNode && dtNode.namespace === 0 && typeof dtNode.value === 'number' && DataType[dtNode.value] ? DataType[dtNode.value]! : (dtNode?.toString() ?? 'unknown');
    const access: ('read' | 'write')[] = [];
    if (level & 1) access.push('read');
    if (level & 2) access.push('write');
    return { nodeId: f.ref.nodeId.toString(), browsePath: f.path, displayName: f.ref.displayName.text ?? '', dataType, access };
  });
}
