// `npm start`: until the all-in-one demo lands (issue "Run it"), say what it will run.
const plan = `dCMMS all-in-one demo (npm start) - not wired yet.

When it is, npm start will run on embedded defaults (SQLite stores, no Kafka):
  - device simulators for a demo site: 2 PV inverters and a meter over Modbus TCP,
    a wind turbine over OPC-UA
  - an edge agent for the site (SQLite buffer, offline alarms, MQTT uplink)
  - the cloud gateway (aedes) and the REST API on http://127.0.0.1:8080

Today you can run:
  npm test                 unit and in-process tests
  npm run engines:up       real Kafka, QuestDB and PostgreSQL on 127.0.0.1
  npm run test:engines     integration tests against them
  npm run bench:codec      the batch codec benchmark
`;
process.stdout.write(plan);
