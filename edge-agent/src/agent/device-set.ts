import { silentLogger } from '@dcmms/shared';
import type { DeviceConfig, Logger } from '@dcmms/shared';
import type { AdapterSink, DeviceAdapter, DeviceConnectionState } from '@dcmms/protocol-adapters';

/** Async allowed, so a protocol's module (node-opcua is large) is loaded only when a device needs it. */
export type AdapterFactory = (device: DeviceConfig) => DeviceAdapter | Promise<DeviceAdapter>;

interface Running {
  readonly config: DeviceConfig;
  readonly key: string;
  readonly adapter: DeviceAdapter;
}

/**
 * The running adapters, one per enabled device. A new device list is applied so that the
 * site is never without data: adapters for new or changed devices are created and started
 * first, and only then are the ones they replace stopped; unchanged devices keep their
 * adapter (and connection). If any new adapter cannot be created or started, the ones
 * already started are stopped again and the running set is left exactly as it was.
 */
export class DeviceSet {
  private running = new Map<string, Running>();
  private readonly log: Logger;

  constructor(
    private readonly factory: AdapterFactory,
    private readonly sink: AdapterSink,
    logger?: Logger,
  ) {
    this.log = logger ?? silentLogger;
  }

  /** Throws (with the set unchanged) when a new adapter cannot be created or started. */
  async apply(devices: readonly DeviceConfig[]): Promise<void> {
    const wanted = new Map<string, { config: DeviceConfig; key: string }>();
    for (const d of devices) if (d.enabled) wanted.set(d.name, { config: d, key: JSON.stringify(d) });
    const started: Running[] = [];
    try {
      for (const [name, w] of wanted) {
        const current = this.running.get(name);
        if (current !== undefined && current.key === w.key) continue;
        let adapter: DeviceAdapter;
        try {
          adapter = await this.factory(w.config);
        } catch (err) {
          throw new Error(`device ${name}: ${(err as Error).message}`, { cause: err });
        }
        started.push({ config: w.config, key: w.key, adapter });
        try {
          await adapter.start(this.sink);
        } catch (err) {
          throw new Error(`device ${name} did not start: ${(err as Error).message}`, { cause: err });
        }
      }
    } catch (err) {
      await Promise.allSettled(started.map((r) => r.adapter.stop()));
      throw err;
    }
    const replaced: Running[] = [];
    const next = new Map<string, Running>();
    for (const [name, w] of wanted) {
      const current = this.running.get(name);
      if (current !== undefined && current.key === w.key) next.set(name, current);
    }
    for (const r of started) next.set(r.config.name, r);
    for (const [name, r] of this.running) if (next.get(name) !== r) replaced.push(r);
    this.running = next;
    await this.stopAdapters(replaced);
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running = new Map();
    await this.stopAdapters(all);
  }

  adapter(device: string): DeviceAdapter | undefined {
    return this.running.get(device)?.adapter;
  }

  adapters(): DeviceAdapter[] {
    return [...this.running.values()].map((r) => r.adapter);
  }

  states(): Array<{ id: string; state: DeviceConnectionState }> {
    return [...this.running.values()].map((r) => ({ id: r.config.name, state: r.adapter.state() }));
  }

  private async stopAdapters(list: readonly Running[]): Promise<void> {
    const results = await Promise.allSettled(list.map((r) => r.adapter.stop()));
    results.forEach((res, i) => {
      if (res.status === 'rejected') this.log.warn({ err: res.reason, device: list[i]!.config.name }, 'adapter did not stop cleanly');
    });
  }
}
