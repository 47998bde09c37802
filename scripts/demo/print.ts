import type { DemoSummary } from './summary.js';

/** A string as one shell word, whatever it contains. */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Three commands that work when pasted into bash or zsh as printed: log in and keep the
 * access token in $TOKEN (parsed with node, which every machine that ran npm has), then the
 * site's active alerts and the latest values of the turbine's tags.
 */
export function exampleCommands(s: DemoSummary): string[] {
  const api = `${s.apiUrl}/api/v1`;
  const body =
    s.login.password === null
      ? // Not known after the first start: spliced in from the variable the user sets.
        `${shellQuote(`{"username":${JSON.stringify(s.login.username)},"password":"`)}"$DCMMS_ADMIN_PASSWORD"${shellQuote('"}')}`
      : shellQuote(JSON.stringify({ username: s.login.username, password: s.login.password }));
  const token = `node -pe ${shellQuote('JSON.parse(require("fs").readFileSync(0, "utf8")).accessToken')}`;
  return [
    `TOKEN=$(curl -sS -X POST ${api}/auth/login -H 'content-type: application/json' -d ${body} | ${token})`,
    `curl -sS -w '\\n' -H "authorization: Bearer $TOKEN" ${shellQuote(`${api}/alerts?siteId=${s.siteId}&active=true`)}`,
    `curl -sS -w '\\n' -H "authorization: Bearer $TOKEN" ${shellQuote(`${api}/assets/${s.exampleAsset.id}/telemetry/latest`)}`,
  ];
}

function passwordLine(s: DemoSummary): string {
  const { username, password, passwordSource } = s.login;
  switch (passwordSource) {
    case 'generated':
      return `${username} / ${password}   (generated now and shown only this once: note it, or set DCMMS_ADMIN_PASSWORD)`;
    case 'environment':
      return `${username} / ${password}   (from DCMMS_ADMIN_PASSWORD)`;
    case 'first-start':
      return `${username} / the password printed at the first start (or set DCMMS_ADMIN_PASSWORD to reset it)`;
  }
}

const row = (label: string, value: string): string => `  ${label.padEnd(15)}${value}`;

export function banner(s: DemoSummary): string {
  const engines =
    s.mode === 'engines'
      ? 'Kafka, QuestDB and PostgreSQL; gateway, worker and api as child processes'
      : 'embedded: SQLite files, no Kafka';
  const lines = [
    '',
    `dCMMS demo is running (${engines})`,
    '',
    row('API', `${s.apiUrl}/api/v1`),
    row('API docs', s.docsUrl),
    row('MQTT', `${s.mqttUrl}   (the gateway; the demo edge logs in as site ${s.siteId})`),
    row('Edge agent', `${s.edgeUrl}/status   (/healthz /readyz /metrics)`),
    ...(s.engines ? Object.entries(s.engines).map(([k, v]) => row(k, v)) : []),
    row('Data', s.dataDir),
    row('Logs', s.logFiles.join(', ')),
    '',
    row('Login', passwordLine(s)),
    '',
    `  Site ${s.siteId}: 2 PV inverters and a revenue meter (Modbus TCP), wind turbine WT1 (OPC-UA), ${s.tagCount} tags.`,
    `  The alarm ${s.demoAlarm.ruleId} (critical) is raised ${Math.round(s.demoAlarm.delayMs / 1000)} s after the turbine's first reading (unless still active from an earlier start) and opens a work order.`,
    s.seeded.length > 0 ? `  Seeded now: ${s.seeded.join(', ')}.` : '  Data of an earlier start reused: nothing seeded again.',
    '',
    'Try it (bash or zsh):',
    ...(s.login.password === null ? ["  export DCMMS_ADMIN_PASSWORD='<the password printed at the first start>'"] : []),
    ...exampleCommands(s).map((c) => `  ${c}`),
    '',
    'Ctrl-C stops everything (the edge flushes its buffer first); npm start again reuses the data.',
    '',
  ];
  return lines.join('\n');
}
