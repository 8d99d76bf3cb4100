import { describe, expect, it } from 'vitest';
import { defineFlagTable, flagMarkdown, flagUsage } from '../../src/daemon/index.ts';

const TABLE = defineFlagTable({
  command: 'loom-example',
  synopsis: '--node-name NAME [flags]',
  description: 'Does one thing,\nwell.',
  envPrefix: 'LOOM_',
  flags: {
    'node-name': {
      kind: 'string',
      arg: 'NAME',
      help: 'this Node',
      env: ['NODE_NAME'],
      required: true,
    },
    mode: { kind: 'enum', arg: 'MODE', choices: ['a', 'b'], default: 'a', help: '`a` or `b`' },
    'resync-period': { kind: 'duration', default: 30_000, help: 'resync | repair' },
    masquerade: { kind: 'boolean', default: true, help: 'masquerade' },
    'health-address': { kind: 'string', arg: 'ADDR', help: 'bind', defaultText: 'all' },
  },
});

describe('flagUsage', () => {
  it('prints the usage line, the description, the variables and one aligned line per flag', () => {
    expect(flagUsage(TABLE)).toBe(
      [
        'Usage: loom-example --node-name NAME [flags]',
        '',
        'Does one thing,',
        'well.',
        '',
        'Every flag can also be set as LOOM_<FLAG> (LOOM_NODE_NAME for --node-name); the flag wins.',
        '',
        '  --node-name NAME          this Node (also NODE_NAME); required',
        '  --mode MODE               a or b (default a)',
        '  --resync-period DURATION  resync | repair (default 30s)',
        '  --[no-]masquerade         masquerade (default true)',
        '  --health-address ADDR     bind (default all)',
        '  --help                    print this help',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the variables sentence for a table without them', () => {
    const table = defineFlagTable({
      ...TABLE,
      envPrefix: undefined,
      flags: { x: TABLE.flags.mode },
    });
    expect(flagUsage(table)).not.toContain('LOOM_');
  });
});

describe('flagMarkdown', () => {
  it('renders a padded table: flag, variables, default, help; code in backticks, | escaped', () => {
    expect(flagMarkdown(TABLE)).toBe(
      [
        '| Flag                       | Environment                   | Default |                     |',
        '| -------------------------- | ----------------------------- | ------- | ------------------- |',
        '| `--node-name NAME`         | `LOOM_NODE_NAME`, `NODE_NAME` |         | this Node; required |',
        '| `--mode MODE`              | `LOOM_MODE`                   | `a`     | `a` or `b`          |',
        '| `--resync-period DURATION` | `LOOM_RESYNC_PERIOD`          | `30s`   | resync \\| repair    |',
        '| `--[no-]masquerade`        | `LOOM_MASQUERADE`             | `true`  | masquerade          |',
        '| `--health-address ADDR`    | `LOOM_HEALTH_ADDRESS`         | all     | bind                |',
      ].join('\n'),
    );
  });

  it('has no Environment column when no flag has a variable', () => {
    const table = defineFlagTable({
      ...TABLE,
      envPrefix: undefined,
      flags: { x: TABLE.flags.mode },
    });
    expect(flagMarkdown(table).split('\n')[0]).toBe('| Flag       | Default |            |');
  });
});
