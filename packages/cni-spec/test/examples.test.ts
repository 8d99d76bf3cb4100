import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const examples = join(import.meta.dirname, '..', 'examples');

// The README's two examples, run as they are: the minimal runtime (libcni) drives the static-ip
// plugin (skel) through a real process start, ADD, CHECK and DEL, with nothing in the kernel.
describe("the README's examples", () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loom-cni-spec-examples-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function setUp(version: string): { conf: string; bin: string; cache: string } {
    const conf = join(dir, 'net.d');
    const bin = join(dir, 'bin');
    const cache = join(dir, 'cache');
    for (const d of [conf, bin, cache]) mkdirSync(d);
    const plugin = join(bin, 'static-ip');
    writeFileSync(
      plugin,
      `#!/bin/sh\nexec ${process.execPath} --conditions=loom-source ${join(examples, 'static-ip-plugin.ts')}\n`,
    );
    chmodSync(plugin, 0o755);
    writeFileSync(
      join(conf, '10-example.conflist'),
      JSON.stringify({
        cniVersion: version,
        name: 'example',
        plugins: [{ type: 'static-ip', address: '192.0.2.10/24' }],
      }),
    );
    return { conf, bin, cache };
  }

  it.each(['0.4.0', '1.1.0'])('ADD, CHECK and DEL a network of spec %s', (version) => {
    const { conf, bin, cache } = setUp(version);
    const run = spawnSync(
      process.execPath,
      [
        '--conditions=loom-source',
        join(examples, 'minimal-runtime.ts'),
        conf,
        bin,
        cache,
        '/var/run/netns/example',
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('example: 192.0.2.10\n');
    expect(run.status).toBe(0);
    // DEL removed the cached result ADD wrote.
    expect(readdirSync(join(cache, 'results'))).toEqual([]);
  });
});
