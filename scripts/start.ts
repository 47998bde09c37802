// `npm start` / `npm run start:engines`: the all-in-one demo (see scripts/demo/, --help).
import { parseArgs } from 'node:util';
import { isDcmmsError } from '@dcmms/shared';
import { banner } from './demo/print.js';
import { demoOptionsFromEnv, HELP } from './demo/options.js';
import { startDemo } from './demo/run.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { engines: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const demo = await startDemo(demoOptionsFromEnv(process.env, values.engines ? 'engines' : 'embedded'), (line) => say(`... ${line}`));
  say(banner(demo.summary));

  // One Ctrl-C stops cleanly; another one while stopping gives up on that.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const force = (s: NodeJS.Signals) => {
    say(`${s} again: exiting without finishing the stop`);
    process.exit(1);
  };
  process.on('SIGINT', force);
  process.on('SIGTERM', force);
  say(`${signal}: stopping (edge flush, gateway, API, simulators)...`);
  await demo.stop();
  say('stopped.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Our errors say what to do; anything else is shown with its stack.
    process.stderr.write(`npm start: ${isDcmmsError(err) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
