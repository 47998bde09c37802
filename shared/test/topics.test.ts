import { describe, expect, it } from 'vitest';
import { mqttTopic, parseMqttTopic } from '@dcmms/shared';

describe('mqtt topics', () => {
  it('round-trips every channel', () => {
    expect(parseMqttTopic(mqttTopic('plant-7', 'telemetry'))).toEqual({ site: 'plant-7', channel: 'telemetry', direction: 'up' });
    expect(parseMqttTopic(mqttTopic('plant-7', 'config'))).toEqual({ site: 'plant-7', channel: 'config', direction: 'down' });
  });

  it.each(['dcmms/v1/+/telemetry', 'dcmms/v1/#', 'dcmms/v1/Plant/telemetry', 'dcmms/v2/a/telemetry', 'dcmms/v1/a/telemetry/x', 'dcmms/v1/a/secrets', '$SYS/x'])(
    'rejects %s',
    (topic) => expect(parseMqttTopic(topic)).toBeNull(),
  );
});
