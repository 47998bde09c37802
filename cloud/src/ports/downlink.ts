import type { DownlinkChannel } from '@dcmms/shared';

/**
 * How the API reaches an edge: config (retained, so a site that reconnects gets its latest),
 * commands and alert actions (QoS 1). In the embedded mode the gateway's broker publishes
 * directly; with several gateway replicas the message goes through Kafka to all of them.
 */
export interface DownlinkPublisher {
  publish(site: string, channel: DownlinkChannel, payload: Buffer, options?: { readonly retain?: boolean }): Promise<void>;
}
