import { EventEmitter } from 'node:events';

/** A change the live stream may forward: which tenant, site and asset it concerns. */
export interface RegistryChange {
  readonly type: 'alert';
  readonly tenantId: string;
  readonly siteId: string;
  readonly assetId: string | null;
  /** The entity id and its revision: the pair identifies the change for de-duplication. */
  readonly id: string;
  readonly revision: number;
}

/**
 * In-process notification of committed changes (emitted after the transaction commits). Other
 * processes' changes reach a stream by polling (see api/stream), so this is a shortcut, not
 * the only path.
 */
export interface ChangeBus {
  emit(change: RegistryChange): void;
  subscribe(listener: (change: RegistryChange) => void): () => void;
}

export function createChangeBus(): ChangeBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit: (change) => {
      // A listener that throws must not fail the write that already committed.
      try {
        emitter.emit('change', change);
      } catch {
        /* listeners log their own failures */
      }
    },
    subscribe: (listener) => {
      emitter.on('change', listener);
      return () => emitter.off('change', listener);
    },
  };
}
