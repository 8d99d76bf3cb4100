import { parseArgs } from 'node:util';
import { type Cidr, parseCidr } from '@loom-net/core';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { AGENT_FLAGS, envName } from './agent-flag-specs.ts';
import { ROUTING_MODES, type RoutingMode } from './desired-routing.ts';

export interface AgentConfig {
  readonly nodeName: string;
  readonly kubeconfig?: string;
  readonly mode: RoutingMode;
  readonly clusterCidrs: readonly Cidr[];
  readonly resyncMs: number;
  readonly protocol: number;
  readonly vxlan: { readonly device: string; readonly vni: number; readonly port: number };
  readonly mtu?: number;
  readonly masquerade: boolean;
  readonly cni?: {
    readonly confDir: string;
    readonly confFile: string;
    readonly binDir: string;
    readonly pluginDir?: string;
    readonly installPlugins: boolean;
    readonly bridge: string;
    readonly ipamDataDir: string;
    readonly portmap: boolean;
  };
  readonly bridge: string;
  readonly healthPort: number;
  readonly healthAddress?: string;
  readonly logLevel?: string;
  readonly netns?: string;
}

export class AgentFlagsError extends Error {
  readonly code = 'LOOM_INVALID_FLAGS';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid route agent flags (${problems.length}):\n  ${problems.join('\n  ')}`);
    this.name = 'AgentFlagsError';
    this.problems = problems;
  }
}

export type ParsedFlags = { help: true } | { help: false; config: AgentConfig };

/** Flags, then `LOOM_*` environment variables, then defaults; every problem is reported at once. */
export function parseAgentFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(AGENT_FLAGS.map((flag) => [flag.name, { type: flag.type }]));
    ({ values } = parseArgs({ args: [...argv], options, allowNegative: true, strict: true }));
  } catch (error) {
    throw new AgentFlagsError([(error as Error).message]);
  }
  if (values.help === true) return { help: true };
  const read: Reader = { values, env, problems: [] };
  const config = buildConfig(read);
  if (read.problems.length > 0) throw new AgentFlagsError(read.problems);
  return { help: false, config };
}

function buildConfig(read: Reader): AgentConfig {
  const bridge = readIfname(read, 'cni-bridge');
  return {
    nodeName:
      readString(read, 'node-name') ??
      read.env.NODE_NAME ??
      fail(read, 'node-name', 'required (or NODE_NAME)') ??
      '',
    kubeconfig: readString(read, 'kubeconfig'),
    mode: readMode(read),
    clusterCidrs: readCidrs(read, 'cluster-cidr'),
    resyncMs: readDuration(read, 'resync-period'),
    protocol: readInt(read, 'route-protocol', 5, 255) ?? AGENT_DEFAULTS.routeProtocol,
    vxlan: {
      device: readIfname(read, 'vxlan-device'),
      vni: readInt(read, 'vxlan-vni', 1, 16_777_215) ?? AGENT_DEFAULTS.vxlanVni,
      port: readInt(read, 'vxlan-port', 1, 65_535) ?? AGENT_DEFAULTS.vxlanPort,
    },
    mtu: readInt(read, 'mtu', 576, 65_535),
    masquerade: readBool(read, 'masquerade'),
    cni: readBool(read, 'install-cni') ? readCniConfig(read, bridge) : undefined,
    bridge,
    healthPort: readInt(read, 'health-port', 0, 65_535) ?? AGENT_DEFAULTS.healthPort,
    healthAddress: readString(read, 'health-address'),
    logLevel: readString(read, 'log-level'),
    netns: readString(read, 'netns'),
  };
}

function readCniConfig(read: Reader, bridge: string): AgentConfig['cni'] {
  return {
    confDir: readString(read, 'cni-conf-dir') ?? AGENT_DEFAULTS.cniConfDir,
    confFile: readString(read, 'cni-conf-file') ?? AGENT_DEFAULTS.cniConfFile,
    binDir: readString(read, 'cni-bin-dir') ?? AGENT_DEFAULTS.cniBinDir,
    pluginDir: readString(read, 'cni-plugin-dir'),
    installPlugins: readBool(read, 'install-cni-plugins'),
    bridge,
    ipamDataDir: readString(read, 'ipam-data-dir') ?? AGENT_DEFAULTS.ipamDataDir,
    portmap: readBool(read, 'portmap'),
  };
}

/** Where values come from, and the problems found so far. */
interface Reader {
  readonly values: Record<string, string | boolean | undefined>;
  readonly env: NodeJS.ProcessEnv;
  readonly problems: string[];
}

function raw(read: Reader, name: string): string | boolean | undefined {
  const spec = AGENT_FLAGS.find((flag) => flag.name === name);
  return read.values[name] ?? read.env[envName(name)] ?? spec?.default;
}

function fail(read: Reader, name: string, why: string): undefined {
  read.problems.push(`--${name} (or ${envName(name)}): ${why}`);
  return undefined;
}

function readString(read: Reader, name: string): string | undefined {
  const value = raw(read, name);
  return value === undefined || value === '' ? undefined : String(value);
}

function readInt(read: Reader, name: string, min: number, max: number): number | undefined {
  const text = readString(read, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (/^\d+$/.test(text) && value >= min && value <= max) return value;
  return fail(read, name, `${JSON.stringify(text)} is not an integer in ${min}-${max}`);
}

function readBool(read: Reader, name: string): boolean {
  const value = raw(read, name);
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  fail(read, name, `${JSON.stringify(value)} is not true or false`);
  return false;
}

function readMode(read: Reader): RoutingMode {
  const value = readString(read, 'mode') ?? '';
  const mode = ROUTING_MODES.find((m) => m === value);
  if (mode) return mode;
  fail(read, 'mode', `${JSON.stringify(value)} is not one of ${ROUTING_MODES.join(', ')}`);
  return 'auto';
}

function readIfname(read: Reader, name: string): string {
  const value = readString(read, name) ?? '';
  // The kernel's IFNAMSIZ is 16, terminator included.
  if (/^[A-Za-z0-9_.-]{1,15}$/.test(value)) return value;
  fail(read, name, `${JSON.stringify(value)} is not an interface name (1-15 of A-Z a-z 0-9 _ . -)`);
  return value;
}

function readCidrs(read: Reader, name: string): Cidr[] {
  const texts = (readString(read, name) ?? '')
    .split(',')
    .map((text) => text.trim())
    .filter(Boolean);
  if (texts.length === 0) fail(read, name, 'at least one CIDR is required');
  const cidrs: Cidr[] = [];
  for (const text of texts) {
    try {
      cidrs.push(parseCidr(text));
    } catch (error) {
      fail(read, name, (error as Error).message);
    }
  }
  return cidrs;
}

function readDuration(read: Reader, name: string): number {
  const text = readString(read, name) ?? '';
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match?.[2] ?? 's'] ?? 1000;
  const ms = match ? Number(match[1]) * unit : Number.NaN;
  if (ms >= 100) return ms;
  fail(read, name, `${JSON.stringify(text)} is not a duration of at least 100ms (500ms, 30s, 2m)`);
  return AGENT_DEFAULTS.resyncMs;
}
