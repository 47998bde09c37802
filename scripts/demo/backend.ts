import type { DownlinkPublisher, Registry } from '@dcmms/cloud';

/** The cloud half of the demo, behind one shape for both modes. */
export interface Backend {
  /** Open (and migrated) before seeding. */
  readonly registry: Registry;
  /** Gateway and API (and, with engines, the worker), started after seeding. */
  start(): Promise<CloudServices>;
  /** Stops what start() started, then closes the registry. Never throws. */
  close(): Promise<void>;
}

export interface CloudServices {
  /** Base URL of the API. */
  readonly apiUrl: string;
  readonly mqttUrl: string;
  /** How the seeding pushes the site config down (the API's own downlink). */
  readonly downlink: DownlinkPublisher;
  readonly logFiles: readonly string[];
  readonly engines: Readonly<Record<string, string>> | null;
}

/** Runs closers in order, logging instead of throwing: a stop must reach every part. */
export async function closeAll(steps: ReadonlyArray<readonly [string, () => Promise<unknown>]>, warn: (what: string, err: unknown) => void): Promise<void> {
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (err) {
      warn(what, err);
    }
  }
}
