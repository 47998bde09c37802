import type { SerialLineConfig } from '@dcmms/shared';
import { createGate, type Gate } from '../gate.js';
import { SerialLink, type ModbusLink } from './link.js';

/**
 * Serial lines shared by the devices (unit ids) on them: one link and one gate with a
 * single slot per path, so the line carries one request at a time whoever asks. The line
 * closes when its last device stops.
 */
interface Line {
  readonly link: ModbusLink;
  readonly gate: Gate;
  refs: number;
}

const lines = new Map<string, Line>();

/** The line's link: opening is shared (two devices starting together open the port once). */
function sharedLink(inner: SerialLink): ModbusLink {
  let opening: Promise<void> | undefined;
  return {
    id: inner.id,
    isOpen: () => inner.isOpen(),
    open(ms) {
      if (inner.isOpen()) return Promise.resolve();
      opening ??= inner.open(ms).finally(() => (opening = undefined));
      return opening;
    },
    close: () => inner.close(),
    read: (...a) => inner.read(...a),
    writeCoil: (...a) => inner.writeCoil(...a),
    writeRegisters: (...a) => inner.writeRegisters(...a),
    onClose: (l) => inner.onClose(l),
  };
}

export function acquireSerialLine(config: SerialLineConfig, interRequestDelayMs: number): { link: ModbusLink; gate: Gate; release: () => void } {
  let line = lines.get(config.path);
  if (!line) {
    line = { link: sharedLink(new SerialLink(config)), gate: createGate(1, interRequestDelayMs), refs: 0 };
    lines.set(config.path, line);
  }
  line.refs++;
  const l = line;
  let released = false;
  return {
    link: l.link,
    gate: l.gate,
    release: () => {
      if (released) return;
      released = true;
      if (--l.refs === 0) {
        lines.delete(config.path);
        void l.link.close();
      }
    },
  };
}
