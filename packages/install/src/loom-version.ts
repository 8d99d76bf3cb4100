import { readFileSync } from 'node:fs';

/** The version of Loom this package installs (its package.json, released in lockstep). */
export const LOOM_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The image this version of Loom ships as. */
export const DEFAULT_IMAGE = `ghcr.io/loom-net/loom:${LOOM_VERSION}`;
