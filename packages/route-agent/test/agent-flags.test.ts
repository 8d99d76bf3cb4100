import { fileURLToPath } from 'node:url';
import { checkReadmeFlags, formatCidr } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { AGENT_FLAG_TABLE, AgentFlagsError, agentUsage, parseAgentFlags } from '../src/index.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

function config(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseAgentFlags(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
}

function problems(argv: string[], env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseAgentFlags(argv, env);
  } catch (error) {
    if (error instanceof AgentFlagsError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseAgentFlags', () => {
  it('defaults to auto mode, 30 s resync, protocol 76, VXLAN 1/8472, CNI install on', () => {
    const c = config(['--node-name', 'node1']);
    expect(c).toMatchObject({
      nodeName: 'node1',
      mode: 'auto',
      resyncMs: 30_000,
      protocol: 76,
      vxlan: { device: 'loom.vxlan', vni: 1, port: 8472 },
      masquerade: true,
      healthPort: 9101,
      cni: {
        confDir: '/etc/cni/net.d',
        confFile: '10-loom.conflist',
        binDir: '/opt/cni/bin',
        installPlugins: true,
      },
    });
    expect(c.clusterCidrs.map(formatCidr)).toEqual(['10.244.0.0/16']);
  });

  it('takes LOOM_* variables and NODE_NAME, with flags winning', () => {
    const env = {
      NODE_NAME: 'node2',
      LOOM_MODE: 'vxlan',
      LOOM_RESYNC_PERIOD: '500ms',
      LOOM_MASQUERADE: 'false',
    };
    expect(config([], env)).toMatchObject({
      nodeName: 'node2',
      mode: 'vxlan',
      resyncMs: 500,
      masquerade: false,
    });
    expect(config(['--mode=direct', '--resync-period=2m'], env)).toMatchObject({
      mode: 'direct',
      resyncMs: 120_000,
    });
  });

  it('reads dual-stack cluster CIDRs and --no-install-cni', () => {
    const c = config([
      '--node-name=n',
      '--cluster-cidr',
      '10.244.0.0/16, fd00:10:244::/56',
      '--no-install-cni',
    ]);
    expect(c.clusterCidrs.map(formatCidr)).toEqual(['10.244.0.0/16', 'fd00:10:244::/56']);
    expect(c.cni).toBeUndefined();
  });

  it('reports every bad value at once, naming flag and variable', () => {
    expect(
      problems([
        '--mode=bgp',
        '--route-protocol=2',
        '--resync-period=soon',
        '--vxlan-device=loom.vxlan.too.long',
      ]),
    ).toEqual([
      '--node-name (or LOOM_NODE_NAME): required (or NODE_NAME)',
      '--mode (or LOOM_MODE): "bgp" is not one of auto, direct, vxlan',
      '--resync-period (or LOOM_RESYNC_PERIOD): "soon" is not a duration of at least 100ms (500ms, 30s, 2m)',
      '--route-protocol (or LOOM_ROUTE_PROTOCOL): "2" is not an integer in 5-255',
      '--vxlan-device (or LOOM_VXLAN_DEVICE): "loom.vxlan.too.long" is not an interface name (1-15 of A-Z a-z 0-9 _ . -)',
    ]);
    expect(problems(['--unknown'])).toEqual(["Unknown option '--unknown'"]);
  });

  it('rejects a log level the logger would not take, as a usage error', () => {
    expect(problems(['--node-name=n'], { LOOM_LOG_LEVEL: 'loud' })).toEqual([
      '--log-level (or LOOM_LOG_LEVEL): "loud" is not one of trace, debug, info, warn, error, fatal, silent',
    ]);
    expect(config(['--node-name=n', '--log-level=WARN']).logLevel).toBe('WARN');
  });

  it('documents every flag in --help', () => {
    expect(parseAgentFlags(['--help'])).toEqual({ help: true });
    for (const name of Object.keys(AGENT_FLAG_TABLE.flags)) {
      expect(agentUsage()).toMatch(new RegExp(`\\n {2}--(\\[no-\\])?${name} `));
    }
  });

  // To regenerate: LOOM_UPDATE_READMES=1 npx vitest run --project unit packages/route-agent/test/agent-flags.test.ts
  it("keeps the README's flag table in step with the flags", async () => {
    const { expected, actual } = await checkReadmeFlags(README, AGENT_FLAG_TABLE);
    expect(actual).toBe(expected);
  });
});
