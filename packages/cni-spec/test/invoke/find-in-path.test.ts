import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findInPath, requireInPath } from '../../src/invoke/find-in-path.ts';
import { CNI_ERROR } from '../../src/types/cni-error.ts';
import { type PluginDir, pluginDir } from './plugin-scripts.ts';

describe('findInPath (pkg/invoke FindInPath)', () => {
  let first: PluginDir;
  let second: PluginDir;
  beforeEach(() => {
    first = pluginDir();
    second = pluginDir();
  });
  afterEach(() => {
    first.cleanup();
    second.cleanup();
  });

  it('takes the first executable of that name, in the order of the dirs', () => {
    writeFileSync(join(first.dir, 'bridge'), 'not executable');
    const wanted = second.add('bridge', 'exit 0');
    expect(findInPath('bridge', [first.dir, second.dir])).toBe(wanted);
    expect(findInPath('ptp', [first.dir, second.dir])).toBeUndefined();
  });

  it('requireInPath names the plugin and the path it searched (code 4)', () => {
    expect(() => requireInPath('ptp', [first.dir], 'IPAM plugin ptp')).toThrow(
      expect.objectContaining({
        code: CNI_ERROR.invalidEnvironment,
        message: `cannot find IPAM plugin ptp in CNI_PATH ${first.dir}`,
      }),
    );
    expect(() => requireInPath('ptp', [])).toThrow('CNI_PATH is not set: cannot find plugin ptp');
  });
});
