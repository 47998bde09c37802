import type { UplinkApplier } from './applier.js';
import { refusalReason } from './applier.js';
import type { DeadLetter, DeadLetterStore, IntakeSink } from './messages.js';

/**
 * The embedded mode's intake: no Kafka, the gateway's accepted messages go straight through
 * the same applier the workers use (telemetry store + ledger + registry sinks), and refused
 * ones into a dead-letter store. The PUBACK still waits for all of it.
 */
export function createEmbeddedIntake(applier: UplinkApplier, deadLetters: DeadLetterStore, onClose: () => Promise<void> = async () => undefined): IntakeSink {
  return {
    async deliver(items) {
      const accepted = items.flatMap((i) => ('accepted' in i ? [i.accepted] : []));
      const letters: DeadLetter[] = items.flatMap((i) => ('deadLetter' in i ? [i.deadLetter] : []));
      const result = await applier.apply(accepted);
      for (const { item, error } of result.refused) {
        letters.push({ site: item.site, topic: null, clientId: null, ...refusalReason(error), payload: item.payload, size: item.payload.length, receivedAt: item.receivedAt });
      }
      if (letters.length > 0) await deadLetters.put(letters);
    },
    close: onClose,
  };
}
