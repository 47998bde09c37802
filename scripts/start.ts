// `npm start` / `npm run start:engines`: the all-in-one demo (see scripts/demo/, --help).
import { parseArgs } from 'node:util';
import { isDcmmsError } from '@dcmms/shared';
import { banner } from './demo/print.js';
import { demoOptionsFromEnv, HELP, parseDemoOptions } from './demo/options.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { engines: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options = parseDemoOptions(demoOptionsFromEnv(process.env, values.engines ? 'engines' : 'embedded'));
  const say = (line: string) => process.stdout.write(`${line}\n`);

  // One Ctrl-C stops cleanly (also during the start: once it finished); another one gives up
  // on that and exits at once (role processes of start:engines are killed on exit).
  let signalled: NodeJS.Signals | null = null;
  let wake = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== null) {
      say(`${signal} again: exiting without finishing the stop`);
      process.exit(1);
    }
    signalled = signal;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Loaded after the settings are checked: --help and a bad setting answer without loading node-opcua and the rest.
  const { startDemo } = await import('./demo/run.js');
  const demo = await startDemo(options, (line) => say(`... ${line}`));
  if (signalled === null) {
    say(banner(demo.summary));
    await new Promise<void>((resolve) => (wake = resolve));
  }
  say(`${signalled}: stopping (edge flush, gateway, API, simulators)...`);
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
