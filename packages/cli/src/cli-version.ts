import { readFileSync } from 'node:fs';

/** This CLI's version (packages/cli/package.json), which is the version of Loom it installs. */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
