import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  defineFlagTable,
  FlagsError,
  type FlagValues,
  parseFlags,
} from '../../src/daemon/index.ts';
import { type Cidr, formatCidr } from '../../src/net/index.ts';

// One flag of every kind, as a daemon would declare them.
const TABLE = defineFlagTable({
  command: 'loom-example',
  subject: 'example',
  synopsis: '--node-name NAME [flags]',
  description: 'An example daemon.',
  envPrefix: 'LOOM_',
  flags: {
    'node-name': {
      kind: 'string',
      arg: 'NAME',
      help: 'this Node',
      env: ['NODE_NAME'],
      required: true,
    },
    device: {
      kind: 'string',
      default: 'loom0',
      help: 'a device',
      check: (text) => (text.length > 15 ? `${JSON.stringify(text)} is too long` : undefined),
    },
    mode: { kind: 'enum', choices: ['auto', 'direct', 'vxlan'], default: 'auto', help: 'mode' },
    'cluster-cidr': { kind: 'cidrs', default: ['10.244.0.0/16'], help: 'pod CIDRs' },
    'resync-period': { kind: 'duration', default: 30_000, min: 100, help: 'resync' },
    protocol: { kind: 'number', default: 76, min: 5, max: 255, help: 'route protocol' },
    mtu: { kind: 'number', min: 576, max: 65_535, help: 'MTU' },
    'health-port': { kind: 'port', default: 9101, help: 'health port' },
    masquerade: { kind: 'boolean', default: true, help: 'masquerade' },
    portmap: { kind: 'boolean', help: 'portmap' },
    'bin-dir': { kind: 'repeatable', separator: ':', default: ['/opt/cni/bin'], help: 'bin dirs' },
  },
});

function values(argv: string[], env: NodeJS.ProcessEnv = {}): FlagValues<typeof TABLE.flags> {
  const parsed = parseFlags(TABLE, argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
}

function problems(argv: string[], env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseFlags(TABLE, argv, env);
  } catch (error) {
    if (error instanceof FlagsError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseFlags', () => {
  it('gives every flag its default', () => {
    const v = values(['--node-name=n1']);
    expect({ ...v, 'cluster-cidr': v['cluster-cidr'].map(formatCidr) }).toEqual({
      'node-name': 'n1',
      device: 'loom0',
      mode: 'auto',
      'cluster-cidr': ['10.244.0.0/16'],
      'resync-period': 30_000,
      protocol: 76,
      mtu: undefined,
      'health-port': 9101,
      masquerade: true,
      portmap: false,
      'bin-dir': ['/opt/cni/bin'],
    });
  });

  it('types each value after its kind, default and required', () => {
    const v = values(['--node-name=n1']);
    expectTypeOf(v['node-name']).toEqualTypeOf<string>();
    expectTypeOf(v.mode).toEqualTypeOf<'auto' | 'direct' | 'vxlan'>();
    expectTypeOf(v.mtu).toEqualTypeOf<number | undefined>();
    expectTypeOf(v.protocol).toEqualTypeOf<number>();
    expectTypeOf(v.masquerade).toEqualTypeOf<boolean>();
    expectTypeOf(v['cluster-cidr']).toEqualTypeOf<Cidr[]>();
    expectTypeOf(v['bin-dir']).toEqualTypeOf<string[]>();
  });

  it.each([
    {
      name: 'the flag wins over its variable',
      argv: ['--mode=direct'],
      env: { LOOM_MODE: 'vxlan', NODE_NAME: 'n' },
      want: { mode: 'direct' },
    },
    {
      name: 'LOOM_<FLAG> stands in for a flag not given',
      argv: [],
      env: { LOOM_MODE: 'vxlan', LOOM_NODE_NAME: 'n', LOOM_RESYNC_PERIOD: '2m' },
      want: { mode: 'vxlan', 'node-name': 'n', 'resync-period': 120_000 },
    },
    {
      name: "a flag's own variable comes after LOOM_<FLAG>",
      argv: [],
      env: { LOOM_NODE_NAME: 'from-loom', NODE_NAME: 'from-downward-api' },
      want: { 'node-name': 'from-loom' },
    },
    {
      name: "a flag's own variable is read when LOOM_<FLAG> is not set",
      argv: [],
      env: { NODE_NAME: 'from-downward-api' },
      want: { 'node-name': 'from-downward-api' },
    },
    {
      name: 'an empty value counts as not given',
      argv: ['--node-name=n', '--mode='],
      env: { LOOM_PROTOCOL: '' },
      want: { mode: 'auto', protocol: 76 },
    },
    {
      name: '--no-<flag> turns a boolean off, --<flag> on',
      argv: ['--node-name=n', '--no-masquerade', '--portmap'],
      env: {},
      want: { masquerade: false, portmap: true },
    },
    {
      name: 'a boolean variable is true, 1, false or 0',
      argv: ['--node-name=n'],
      env: { LOOM_MASQUERADE: '0', LOOM_PORTMAP: 'true' },
      want: { masquerade: false, portmap: true },
    },
    {
      name: 'a repeatable flag adds up its values, each split at its separator',
      argv: ['--node-name=n', '--bin-dir', '/a:/b', '--bin-dir=/c'],
      env: {},
      want: { 'bin-dir': ['/a', '/b', '/c'] },
    },
    {
      name: 'a repeatable flag falls back to its variable, split the same way',
      argv: ['--node-name=n'],
      env: { LOOM_BIN_DIR: '/x::/y' },
      want: { 'bin-dir': ['/x', '/y'] },
    },
  ])('$name', ({ argv, env, want }) => {
    expect(values(argv, env)).toMatchObject(want);
  });

  it('reports every bad flag at once, in table order, naming flag and variable', () => {
    expect(
      problems(
        ['--mode=bgp', '--resync-period=soon', '--protocol=2', '--device=much.too.long.name'],
        { LOOM_HEALTH_PORT: 'x', LOOM_MASQUERADE: 'maybe', LOOM_CLUSTER_CIDR: '10.244.0.0' },
      ),
    ).toEqual([
      '--node-name (or LOOM_NODE_NAME): required (or NODE_NAME)',
      '--device (or LOOM_DEVICE): "much.too.long.name" is too long',
      '--mode (or LOOM_MODE): "bgp" is not one of auto, direct, vxlan',
      '--cluster-cidr (or LOOM_CLUSTER_CIDR): "10.244.0.0" is not a valid CIDR: expected address/prefix',
      '--resync-period (or LOOM_RESYNC_PERIOD): "soon" is not a duration of at least 100ms (500ms, 30s, 2m)',
      '--protocol (or LOOM_PROTOCOL): "2" is not an integer in 5-255',
      '--health-port (or LOOM_HEALTH_PORT): "x" is not a port (0-65535)',
      '--masquerade (or LOOM_MASQUERADE): "maybe" is not true or false',
    ]);
  });

  it.each([
    { argv: ['--unknown'], problem: /^Unknown option '--unknown'/ },
    { argv: ['--mode'], problem: /^Option '--mode <value>' argument missing/ },
    { argv: ['stray'], problem: /Unexpected argument 'stray'/ },
  ])('rejects the command line $argv, naming the flag', ({ argv, problem }) => {
    const found = problems(['--node-name=n', ...argv]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(problem);
  });

  it('puts the problems in one message headed by the subject', () => {
    expect(() => parseFlags(TABLE, ['--mode=x', '--protocol=1'], { NODE_NAME: 'n' })).toThrow(
      'invalid example flags (2):\n  --mode (or LOOM_MODE): "x" is not one of auto, direct, vxlan\n  --protocol (or LOOM_PROTOCOL): "1" is not an integer in 5-255',
    );
  });

  it('answers --help before reading anything else', () => {
    expect(parseFlags(TABLE, ['--help', '--mode=bgp'], {})).toEqual({ help: true });
  });

  it('runs the cross-flag check with the values and the names of the flags that failed', () => {
    const seen: string[][] = [];
    const check = (v: FlagValues<typeof TABLE.flags>, failed: ReadonlySet<string>) => {
      seen.push([...failed]);
      return v.mode === 'direct' && v.masquerade ? ['--mode=direct needs --no-masquerade'] : [];
    };
    expect(() =>
      parseFlags(TABLE, ['--node-name=n', '--mode=direct', '--protocol=1'], {}, check),
    ).toThrow(/--protocol .*\n {2}--mode=direct needs --no-masquerade$/);
    expect(seen).toEqual([['protocol']]);
  });
});
