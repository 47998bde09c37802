import type { IntakeItem, IntakeSink } from '../../src/ingest/messages.js';

/** An intake that keeps what it is given, optionally slowed or failing, for gateway tests. */
export function recordingIntake(behaviour: { deliver?: (items: readonly IntakeItem[], call: number) => Promise<void> } = {}) {
  const delivered: IntakeItem[] = [];
  const calls: IntakeItem[][] = [];
  const sink: IntakeSink = {
    async deliver(items) {
      calls.push([...items]);
      await behaviour.deliver?.(items, calls.length);
      delivered.push(...items);
    },
    close: async () => undefined,
  };
  return {
    sink,
    delivered,
    calls,
    accepted: () => delivered.flatMap((i) => ('accepted' in i ? [i.accepted] : [])),
    deadLetters: () => delivered.flatMap((i) => ('deadLetter' in i ? [i.deadLetter] : [])),
  };
}
