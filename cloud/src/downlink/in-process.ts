import type { Aedes } from 'aedes';
import { mqttTopic, siteIdSchema, type DownlinkChannel } from '@dcmms/shared';
import type { DownlinkPublisher } from '../ports/downlink.js';
import { DownlinkError } from './errors.js';

/**
 * Publishes straight into the gateway's broker (embedded mode, and each gateway replica's
 * relay): QoS 1, retained when asked (config), so a site that connects later still gets it.
 */
export function createInProcessDownlink(broker: Aedes): DownlinkPublisher {
  return {
    publish(site, channel: DownlinkChannel, payload, options = {}) {
      if (!siteIdSchema.safeParse(site).success) return Promise.reject(new DownlinkError('DCMMS_DOWNLINK_INVALID', `not a site id: ${JSON.stringify(site)}`));
      return new Promise<void>((resolve, reject) => {
        broker.publish({ cmd: 'publish', topic: mqttTopic(site, channel), payload, qos: 1, retain: options.retain ?? false, dup: false }, (err) =>
          err ? reject(new DownlinkError('DCMMS_DOWNLINK_UNAVAILABLE', `broker refused the downlink: ${err.message}`, { cause: err })) : resolve(),
        );
      });
    },
  };
}
