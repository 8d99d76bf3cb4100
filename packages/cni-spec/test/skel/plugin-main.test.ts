import { describe, expect, it } from 'vitest';
import type { CniRequest } from '../../src/skel/cni-request.ts';
import { type CniPluginHandlers, handleCniInvocation } from '../../src/skel/plugin-main.ts';
import { CNI_ERROR, CniError } from '../../src/types/cni-error.ts';
import { SUPPORTED_CNI_VERSIONS } from '../../src/version/cni-version.ts';

// Handlers that record what they were asked and answer a fixed result.
function recordingHandlers(): CniPluginHandlers & { calls: Array<[string, CniRequest]> } {
  const calls: Array<[string, CniRequest]> = [];
  const record = (verb: string) => (request: CniRequest) => {
    calls.push([verb, request]);
  };
  return {
    calls,
    add: (request) => {
      calls.push(['ADD', request]);
      return { ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1' }] };
    },
    del: record('DEL'),
    check: record('CHECK'),
    gc: record('GC'),
    status: record('STATUS'),
  };
}

const attachmentEnv = { CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/p', CNI_IFNAME: 'eth0' };
const config = (version: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: version, name: 'net1', type: 'x', ...extra });

describe('handleCniInvocation', () => {
  it('answers VERSION in the version it was asked in, without a configuration', async () => {
    const outcome = await handleCniInvocation(recordingHandlers(), {
      env: { CNI_COMMAND: 'VERSION' },
      stdin: '{"cniVersion":"0.4.0"}',
    });
    expect(outcome.exitCode).toBe(0);
    expect(JSON.parse(outcome.stdout)).toEqual({
      cniVersion: '0.4.0',
      supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
    });
    const bare = await handleCniInvocation(recordingHandlers(), {
      env: { CNI_COMMAND: 'VERSION' },
      stdin: '',
    });
    expect(JSON.parse(bare.stdout).cniVersion).toBe('1.1.0');
  });

  it.each(SUPPORTED_CNI_VERSIONS)(
    'prints the ADD result in the config version %s',
    async (version) => {
      const handlers = recordingHandlers();
      const outcome = await handleCniInvocation(handlers, {
        env: { CNI_COMMAND: 'ADD', ...attachmentEnv },
        stdin: config(version),
      });
      expect(outcome.exitCode).toBe(0);
      const printed = JSON.parse(outcome.stdout);
      expect(printed.cniVersion).toBe(version);
      expect(printed.ips[0].version).toBe(version < '1.0.0' ? '4' : undefined);
      expect(handlers.calls[0]![1]).toMatchObject({ network: 'net1', cniVersion: version });
    },
  );

  it.each(['DEL', 'CHECK', 'GC', 'STATUS'])(
    'prints nothing for a successful %s',
    async (command) => {
      const handlers = recordingHandlers();
      const outcome = await handleCniInvocation(handlers, {
        env: { CNI_COMMAND: command, ...attachmentEnv },
        stdin: config('1.1.0'),
      });
      expect(outcome).toEqual({ exitCode: 0, stdout: '' });
      expect(handlers.calls.map(([verb]) => verb)).toEqual([command]);
    },
  );

  it.each([
    {
      name: 'empty stdin',
      env: { CNI_COMMAND: 'ADD', ...attachmentEnv },
      stdin: '',
      code: CNI_ERROR.decodingFailure,
      version: '1.1.0',
    },
    {
      name: 'stdin not JSON',
      env: { CNI_COMMAND: 'ADD', ...attachmentEnv },
      stdin: '{"cniVersion":',
      code: CNI_ERROR.decodingFailure,
      version: '1.1.0',
    },
    {
      name: 'stdin a list',
      env: { CNI_COMMAND: 'DEL', ...attachmentEnv },
      stdin: '[1]',
      code: CNI_ERROR.decodingFailure,
      version: '1.1.0',
    },
    {
      name: 'version too old',
      env: { CNI_COMMAND: 'ADD', ...attachmentEnv },
      stdin: config('0.2.0'),
      code: CNI_ERROR.incompatibleVersion,
      version: '0.2.0',
    },
    {
      name: 'CHECK in 0.3.1',
      env: { CNI_COMMAND: 'CHECK', ...attachmentEnv },
      stdin: config('0.3.1'),
      code: CNI_ERROR.incompatibleVersion,
      version: '0.3.1',
    },
    {
      name: 'GC in 1.0.0',
      env: { CNI_COMMAND: 'GC' },
      stdin: config('1.0.0'),
      code: CNI_ERROR.incompatibleVersion,
      version: '1.0.0',
    },
    {
      name: 'STATUS in 0.4.0',
      env: { CNI_COMMAND: 'STATUS' },
      stdin: config('0.4.0'),
      code: CNI_ERROR.incompatibleVersion,
      version: '0.4.0',
    },
    {
      name: 'no name',
      env: { CNI_COMMAND: 'ADD', ...attachmentEnv },
      stdin: '{"cniVersion":"1.0.0"}',
      code: CNI_ERROR.invalidConfig,
      version: '1.0.0',
    },
    {
      name: 'name with a slash',
      env: { CNI_COMMAND: 'DEL', ...attachmentEnv },
      stdin: config('1.0.0', { name: '../x' }),
      code: CNI_ERROR.invalidConfig,
      version: '1.0.0',
    },
    {
      name: 'no command',
      env: {},
      stdin: config('0.4.0'),
      code: CNI_ERROR.invalidEnvironment,
      version: '0.4.0',
    },
    {
      name: 'ADD without netns',
      env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_IFNAME: 'eth0' },
      stdin: config('1.1.0'),
      code: CNI_ERROR.invalidEnvironment,
      version: '1.1.0',
    },
  ])(
    'answers $name with the error result, code $code, in version $version',
    async ({ env, stdin, code, version }) => {
      const handlers = recordingHandlers();
      const outcome = await handleCniInvocation(handlers, { env, stdin });
      expect(outcome.exitCode).toBe(1);
      const error = JSON.parse(outcome.stdout);
      expect(error).toMatchObject({ cniVersion: version, code });
      expect(error.msg).toEqual(expect.any(String));
      expect(handlers.calls).toEqual([]);
    },
  );

  it('passes a handler error through with its code and details', async () => {
    const handlers = recordingHandlers();
    handlers.add = () => {
      throw new CniError(CNI_ERROR.tryAgainLater, 'store busy', { details: 'retry' });
    };
    const outcome = await handleCniInvocation(handlers, {
      env: { CNI_COMMAND: 'ADD', ...attachmentEnv },
      stdin: config('1.0.0'),
    });
    expect(JSON.parse(outcome.stdout)).toEqual({
      cniVersion: '1.0.0',
      code: 11,
      msg: 'store busy',
      details: 'retry',
    });
  });

  it('reports an unexpected exception as code 100 with its cause', async () => {
    const handlers = recordingHandlers();
    handlers.del = () => {
      throw new Error('cannot release', { cause: new Error('disk full') });
    };
    const outcome = await handleCniInvocation(handlers, {
      env: { CNI_COMMAND: 'DEL', ...attachmentEnv },
      stdin: config('1.1.0'),
    });
    expect(JSON.parse(outcome.stdout)).toEqual({
      cniVersion: '1.1.0',
      code: 100,
      msg: 'cannot release',
      details: 'disk full',
    });
  });
});
