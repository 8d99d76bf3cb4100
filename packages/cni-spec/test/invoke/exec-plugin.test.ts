import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execPlugin, execPluginWithResult, type PluginCall } from '../../src/invoke/exec-plugin.ts';
import { CNI_ERROR, type CniError } from '../../src/types/cni-error.ts';
import { type PluginDir, pluginDir } from './plugin-scripts.ts';

const call = (extra: Partial<PluginCall> = {}): PluginCall => ({
  command: 'ADD',
  env: { PATH: process.env.PATH, CNI_COMMAND: 'ADD' },
  stdin: '{"cniVersion":"1.0.0","name":"net"}',
  label: 'plugin "fake"',
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<CniError> {
  try {
    await promise;
  } catch (error) {
    return error as CniError;
  }
  throw new Error('expected a failure');
}

describe('execPlugin (pkg/invoke RawExec)', () => {
  let plugins: PluginDir;
  beforeEach(() => {
    plugins = pluginDir();
  });
  afterEach(() => plugins.cleanup());

  it('hands the plugin its environment and stdin, and returns its stdout', async () => {
    const path = plugins.add('echo', 'printf "%s|" "$CNI_COMMAND"; cat');
    expect(await execPlugin(path, call())).toBe('ADD|{"cniVersion":"1.0.0","name":"net"}');
  });

  it("keeps the code, message and details of the plugin's error result", async () => {
    const path = plugins.add(
      'busy',
      `echo '{"cniVersion":"1.0.0","code":11,"msg":"try later","details":"locked"}'; exit 1`,
    );
    const error = await failure(execPlugin(path, call()));
    expect(error).toMatchObject({
      code: CNI_ERROR.tryAgainLater,
      message: 'plugin "fake" failed ADD: try later',
      details: 'locked',
    });
  });

  it('says how a plugin without an error result ended, with its stderr as details', async () => {
    const path = plugins.add('crash', 'echo "panic: nil map" >&2; exit 2');
    const error = await failure(execPlugin(path, call()));
    expect(error).toMatchObject({
      code: CNI_ERROR.delegateFailed,
      message: 'plugin "fake" failed ADD (exit code 2)',
      details: 'panic: nil map',
    });
  });

  it('kills a plugin that outlives the timeout', async () => {
    const path = plugins.add('slow', 'exec sleep 5');
    const error = await failure(execPlugin(path, call({ timeoutMs: 100 })));
    expect(error.message).toBe('plugin "fake" failed ADD (killed after 0.1 s)');
  });

  it('reports a plugin that cannot be started as code 106', async () => {
    const error = await failure(execPlugin(`${plugins.dir}/missing`, call()));
    expect(error.code).toBe(CNI_ERROR.delegateFailed);
    expect(error.message).toMatch(/^cannot run plugin "fake" .*missing: .*ENOENT/);
  });
});

describe('execPluginWithResult', () => {
  const answering = (stdout: string) => async () => stdout;

  it('reads the result in the version it names', async () => {
    const stdout = JSON.stringify({ cniVersion: '0.2.0', ip4: { ip: '192.0.2.5/24' } });
    const result = await execPluginWithResult(answering(stdout), '/x', call(), '1.0.0');
    expect(result).toEqual({ ips: [{ address: '192.0.2.5/24' }] });
  });

  it('refuses a result that is not JSON', async () => {
    const error = await failure(execPluginWithResult(answering('oops'), '/x', call(), '1.0.0'));
    expect(error).toMatchObject({
      code: CNI_ERROR.delegateFailed,
      message: 'plugin "fake" printed a result that is not JSON',
      details: 'oops',
    });
  });
});
