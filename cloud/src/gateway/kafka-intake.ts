import type { LogProducer } from '../kafka/types.js';
import type { IntakeSink } from '../ingest/messages.js';
import { acceptedRecord, deadLetterRecord } from '../ingest/records.js';

/**
 * The production intake: accepted messages to their topics (key = site), dead letters to
 * telemetry.invalid, all in one produce request acknowledged by every in-sync replica.
 */
export function createKafkaIntake(producer: LogProducer): IntakeSink {
  return {
    deliver: (items) => producer.send(items.map((i) => ('accepted' in i ? acceptedRecord(i.accepted) : deadLetterRecord(i.deadLetter)))),
    close: () => producer.close(),
  };
}
