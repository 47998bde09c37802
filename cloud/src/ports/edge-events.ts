import type { AlertEvent, CommandResult, ConfigResult, SiteStatus } from '@dcmms/shared';

/**
 * Where the intake (Kafka consumers in production, the gateway in-process in the embedded
 * mode) delivers what edges report besides telemetry. Each is idempotent: Kafka redelivers.
 */
export interface AlertEventSink {
  /** Alert current state plus its event history; a repeated (alertId, occurrence, eventSeq) is a no-op. */
  applyAlertEvents(events: readonly AlertEvent[]): Promise<void>;
}

export interface SiteStatusSink {
  applySiteStatus(status: SiteStatus): Promise<void>;
}

export interface EdgeResultSink {
  applyCommandResult(result: CommandResult): Promise<void>;
  applyConfigResult(result: ConfigResult): Promise<void>;
}
