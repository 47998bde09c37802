import { z } from 'zod';
import {
  alertEventSchema,
  commandResultSchema,
  configResultSchema,
  decodeTelemetryMessage,
  describeError,
  isCodecError,
  siteStatusSchema,
  toIssues,
  type AlertEvent,
  type CommandResult,
  type ConfigResult,
  type GapRecord,
  type SiteStatus,
  type TelemetryBatch,
  type UplinkChannel,
} from '@dcmms/shared';
import { UplinkError } from './errors.js';

/** A validated uplink message, as the gateway accepted it and the workers apply it. */
export type Uplink =
  | { readonly kind: 'batch'; readonly batch: TelemetryBatch }
  | { readonly kind: 'gap'; readonly gap: GapRecord }
  | { readonly kind: 'alerts'; readonly events: readonly AlertEvent[] }
  | { readonly kind: 'status'; readonly status: SiteStatus }
  | { readonly kind: 'command-result'; readonly result: CommandResult }
  | { readonly kind: 'config-result'; readonly result: ConfigResult };

/** Alert events travel as JSON: one event, or an array of up to this many in order of eventSeq. */
export const MAX_ALERT_EVENTS_PER_MESSAGE = 1000;
const alertsPayloadSchema = z.union([alertEventSchema.transform((e) => [e]), z.array(alertEventSchema).min(1).max(MAX_ALERT_EVENTS_PER_MESSAGE)]);
const resultPayloadSchema = z.union([commandResultSchema, configResultSchema]);

function json(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new UplinkError('DCMMS_UPLINK_UNDECODABLE', `payload is not JSON: ${describeError(err)}`);
  }
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = toIssues(r.error).slice(0, 5);
  throw new UplinkError('DCMMS_UPLINK_INVALID', `${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });
}

function sameSite(site: string, inside: string, what: string): void {
  if (inside !== site) throw new UplinkError('DCMMS_UPLINK_SITE_MISMATCH', `${what} names site ${JSON.stringify(inside)} but came from site ${JSON.stringify(site)}`);
}

/**
 * Decodes and validates one payload received from `site` on `channel`: telemetry with the
 * shared codec (which enforces the contract's limits while decoding, so every batch it
 * returns satisfies telemetryBatchSchema), the others as JSON with their zod schemas. Every
 * site named inside must be the sender's. Throws UplinkError.
 */
export function decodeUplink(channel: UplinkChannel, site: string, payload: Buffer): Uplink {
  switch (channel) {
    case 'telemetry': {
      let message;
      try {
        message = decodeTelemetryMessage(payload);
      } catch (err) {
        if (isCodecError(err)) throw new UplinkError('DCMMS_UPLINK_UNDECODABLE', `telemetry payload: ${err.message}`, { details: { codec: err.code } });
        throw err;
      }
      if (message.kind === 'batch') {
        sameSite(site, message.batch.site, 'telemetry batch');
        return { kind: 'batch', batch: message.batch };
      }
      sameSite(site, message.gap.site, 'gap record');
      return { kind: 'gap', gap: message.gap };
    }
    case 'alerts': {
      const events = validate(alertsPayloadSchema, json(payload), 'alert events');
      for (const e of events) sameSite(site, e.site, 'alert event');
      return { kind: 'alerts', events };
    }
    case 'status': {
      const status = validate(siteStatusSchema, json(payload), 'site status');
      sameSite(site, status.site, 'site status');
      return { kind: 'status', status };
    }
    case 'results': {
      const result = validate(resultPayloadSchema, json(payload), 'edge result');
      sameSite(site, result.site, 'edge result');
      return 'commandId' in result ? { kind: 'command-result', result } : { kind: 'config-result', result };
    }
  }
}
