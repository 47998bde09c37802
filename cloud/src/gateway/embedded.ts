import type { Registry } from 'prom-client';
import type { Logger } from '@dcmms/shared';
import { createUplinkApplier } from '../ingest/applier.js';
import { createFileDeadLetterStore } from '../ingest/dead-letter-file.js';
import { createEmbeddedIntake } from '../ingest/embedded-intake.js';
import type { DeadLetter } from '../ingest/messages.js';
import { createInProcessDownlink } from '../downlink/in-process.js';
import type { CompletenessLedger } from '../ports/completeness-ledger.js';
import type { DownlinkPublisher } from '../ports/downlink.js';
import type { AlertEventSink, EdgeResultSink, SiteStatusSink } from '../ports/edge-events.js';
import type { SiteCredentialVerifier } from '../ports/site-credentials.js';
import type { SiteDirectory } from '../ports/site-directory.js';
import type { TelemetryStore } from '../ports/telemetry-store.js';
import { createGateway, type Gateway, type GatewayLimits, type ListenerOptions, type TlsListenerOptions } from './gateway.js';

export interface EmbeddedGatewayOptions {
  readonly credentials: SiteCredentialVerifier;
  readonly store: TelemetryStore;
  readonly ledger: CompletenessLedger;
  readonly alerts: AlertEventSink;
  readonly status: SiteStatusSink;
  readonly results: EdgeResultSink;
  readonly directory?: SiteDirectory;
  /** Where refused payloads are kept (there is no telemetry.invalid topic without Kafka). */
  readonly deadLetterDir: string;
  readonly tcp?: ListenerOptions | null;
  readonly tls?: TlsListenerOptions | null;
  readonly limits?: Partial<GatewayLimits>;
  readonly logger?: Logger;
  readonly metrics?: Registry;
}

export interface EmbeddedGateway {
  readonly gateway: Gateway;
  /** For the API: config, commands and alert actions straight into the broker. */
  readonly downlink: DownlinkPublisher;
  deadLetters(): DeadLetter[];
  /** Closes the gateway; the store, ledger and sinks belong to the caller. */
  close(): Promise<void>;
}

/**
 * The gateway of `npm start`: no Kafka; what it accepts goes through the workers' applier
 * into the given store, ledger and sinks in-process, and the PUBACK still waits for them.
 */
export async function startEmbeddedGateway(options: EmbeddedGatewayOptions): Promise<EmbeddedGateway> {
  const applier = createUplinkApplier({
    store: options.store,
    ledger: options.ledger,
    alerts: options.alerts,
    status: options.status,
    results: options.results,
    ...(options.directory ? { directory: options.directory } : {}),
  });
  const letters = createFileDeadLetterStore({ dir: options.deadLetterDir });
  const gateway = await createGateway({
    credentials: options.credentials,
    intake: createEmbeddedIntake(applier, letters),
    tcp: options.tcp === undefined ? { port: 1883 } : options.tcp,
    tls: options.tls ?? null,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return {
    gateway,
    downlink: createInProcessDownlink(gateway.broker),
    deadLetters: () => letters.list(),
    close: () => gateway.close(),
  };
}
