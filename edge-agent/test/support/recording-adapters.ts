import { createAdapter } from '@dcmms/protocol-adapters';
import type { AdapterSink, DeviceAdapter } from '@dcmms/protocol-adapters';
import type { DeviceConfig, Reading } from '@dcmms/shared';

/**
 * Real adapters whose readings are also recorded on their way to the agent: the "produced"
 * side of an end-to-end check.
 */
export function recordingAdapters(): { factory: (d: DeviceConfig) => DeviceAdapter; produced: Reading[] } {
  const produced: Reading[] = [];
  const factory = (device: DeviceConfig): DeviceAdapter => {
    const inner = createAdapter(device);
    return {
      device: inner.device,
      start: (sink: AdapterSink) =>
        inner.start({
          readings(dev, readings) {
            produced.push(...readings);
            sink.readings(dev, readings);
          },
          state: (e) => sink.state(e),
        }),
      stop: () => inner.stop(),
      state: () => inner.state(),
      counters: () => inner.counters(),
      readOnce: () => inner.readOnce(),
      write: (tag, value) => inner.write(tag, value),
    };
  };
  return { factory, produced };
}
