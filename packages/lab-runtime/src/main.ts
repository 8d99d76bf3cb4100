#!/usr/bin/env -S node --conditions=loom-source
// The Loom lab runtime: `node --conditions=loom-source packages/lab-runtime/src/main.ts --socket … --state-dir …`
import { createLogger, runDaemon } from '@loom-net/core';
import { createLabRuntime } from './lab-runtime.ts';
import { isRuntimeError } from './runtime-error.ts';
import { parseRuntimeArgs, RUNTIME_USAGE } from './runtime-flags.ts';

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(RUNTIME_USAGE);
    return;
  }
  let invocation: ReturnType<typeof parseRuntimeArgs>;
  try {
    invocation = parseRuntimeArgs(argv);
  } catch (error) {
    console.error(isRuntimeError(error) ? error.message : String(error));
    process.exit(2);
  }
  const { command, options } = invocation;
  const logger = createLogger({ component: 'lab-runtime', level: options.logLevel });
  const runtime = createLabRuntime(options, logger);
  if (command === 'remove-all-pods') {
    // Recovery re-adopts what runs, so that removing it stops it for real.
    await runtime.start();
    await runtime.removeAllPods();
    await runtime.stop();
    logger.info('all pods removed');
    logger.flush();
    process.exit(0);
  }
  await runDaemon({ logger, start: () => runtime.start(), stop: () => runtime.stop() });
}

await main(process.argv.slice(2));
