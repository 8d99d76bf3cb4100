// A V8 code cache trained by real calls. Node's own SEA code cache is made by compiling the
// bundle without running it, so it holds the top-level code only: every function an ADD calls
// is still compiled on every ADD (~7 ms of loom-cni's ADD here). This one is written after the
// bundle has served an ADD, a DEL and a VERSION, and holds every function they compiled. The
// executable's main script is then a small loader that compiles the embedded bundle with it.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// V8 takes a code cache only for the very source it was made from: the loader and the trainer
// wrap the bundle alike, as Node wraps a CommonJS module.
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_TAIL = '\n})';
const FILENAME = 'plugin.cjs';

/** Names of the SEA assets the loader reads. */
export const BUNDLE_ASSET = 'plugin.cjs';
export const CACHE_ASSET = 'plugin.cache';

/** The message the loader prints on stderr when V8 refuses the cache (the build checks it). */
export const CACHE_REJECTED =
  'V8 rejected the code cache embedded in this executable (built by another Node?): starting without it';

/** The executable's main script: compiles the embedded bundle with its cache and runs it. */
export function seaLoaderSource(): string {
  return `'use strict';
const { getAsset } = require('node:sea');
const { Script } = require('node:vm');
const source = ${JSON.stringify(WRAPPER_HEAD)} + getAsset(${JSON.stringify(BUNDLE_ASSET)}, 'utf8') + ${JSON.stringify(WRAPPER_TAIL)};
const cachedData = new Uint8Array(getAsset(${JSON.stringify(CACHE_ASSET)}));
const script = new Script(source, { filename: ${JSON.stringify(FILENAME)}, cachedData });
if (script.cachedDataRejected) require('node:fs').writeSync(2, ${JSON.stringify(`${CACHE_REJECTED}\n`)});
script.runInThisContext()(module.exports, require, module, __filename, __dirname);
`;
}

// Runs the bundle as the plugin process (stdin, env, exit code) and, when the plugin exits,
// writes the cache of everything compiled so far; a cache from an earlier call is loaded
// first, so the calls add up.
const TRAINER = `'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');
const [bundle, cacheFile] = process.argv.slice(2);
const source = ${JSON.stringify(WRAPPER_HEAD)} + readFileSync(bundle, 'utf8') + ${JSON.stringify(WRAPPER_TAIL)};
const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
const script = new Script(source, { filename: ${JSON.stringify(FILENAME)}, cachedData });
process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
script.runInThisContext()(module.exports, require, module, __filename, __dirname);
`;

// Stands in for ip, nsenter, nft and sysctl while training: the calls must run the plugin's
// code, never change the build machine's network. It answers `ip -json` batches with a link.
const FAKE_TOOL = `#!/bin/sh
cat > /dev/null
case " $* " in *" -json "*) echo '[{"ifname":"loom-train0","address":"02:00:00:00:00:01"}]' ;; esac
exit 0
`;
const FAKE_TOOLS = ['ip', 'nsenter', 'nft', 'sysctl', 'bridge', 'conntrack'];

/**
 * Runs VERSION, ADD and DEL of the bundle with `node` (the binary the executable is made of)
 * with `execArgv` (the flags the executable starts with) and writes the trained cache to
 * `cacheFile`. The network is loom-cni's common one (gateway
 * bridge, dual-stack loom-ipam); loom-ipam reads its `ipam` section as well.
 */
export function trainCodeCache(
  bundle: string,
  cacheFile: string,
  node: string,
  execArgv: readonly string[],
): void {
  const dir = mkdtempSync(join(tmpdir(), 'loom-code-cache-'));
  try {
    const tools = join(dir, 'tools');
    mkdirSync(tools);
    for (const tool of FAKE_TOOLS) {
      writeFileSync(join(tools, tool), FAKE_TOOL);
      chmodSync(join(tools, tool), 0o755);
    }
    // A plain file: the plugin only checks that CNI_NETNS exists, and the fake nsenter enters it.
    const netns = join(dir, 'netns');
    writeFileSync(netns, '');
    const trainer = join(dir, 'trainer.cjs');
    writeFileSync(trainer, TRAINER);
    rmSync(cacheFile, { force: true });
    const network = JSON.stringify({
      cniVersion: '1.1.0',
      name: 'loom-training',
      type: 'loom-cni',
      bridge: 'loom-train0',
      ipam: {
        type: 'loom-ipam',
        dataDir: join(dir, 'ipam'),
        ranges: [[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]],
      },
    });
    for (const command of ['VERSION', 'ADD', 'DEL']) {
      // V8 refuses a cache made under other flags: train with the executable's own.
      const call = spawnSync(node, [...execArgv, trainer, bundle, cacheFile], {
        input: network,
        encoding: 'utf8',
        // The fake tools come first; the plugin appends the system directories after them.
        env: {
          PATH: tools,
          CNI_COMMAND: command,
          CNI_CONTAINERID: 'loom-training',
          CNI_NETNS: netns,
          CNI_IFNAME: 'eth0',
        },
      });
      if (call.status !== 0) {
        throw new Error(
          `cannot train the code cache of ${bundle}: ${command} failed (${call.status}): ${call.stdout}${call.stderr}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
