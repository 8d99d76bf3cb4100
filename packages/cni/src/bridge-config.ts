import {
  CNI_ERROR,
  type CniDns,
  CniError,
  describeValue,
  interfaceNameProblem,
  isEmptyDns,
  parseDns,
} from '@loom-net/cni-spec';
import type { CniRequest } from '@loom-net/cni-spec/skel';

/**
 * loom-cni's configuration: the reference bridge plugin's keys (so a user switches by changing
 * `type`), with defaults that give a working pod network on their own: the bridge holds the
 * gateway, pods get a default route through it and can reach their own Service IPs (hairpin).
 */
export interface BridgeConfig {
  network: string;
  /** Host bridge name (`bridge`). */
  bridge: string;
  /** Put each range's gateway address on the bridge and enable forwarding (`isGateway`). */
  isGateway: boolean;
  /** Add a default route via the gateway in the pod (`isDefaultGateway`, implies isGateway). */
  isDefaultGateway: boolean;
  /** Remove a bridge address in the way of a gateway instead of failing (`forceAddress`). */
  forceAddress: boolean;
  /** Masquerade pod traffic leaving the pod subnet, with nftables (`ipMasq`). */
  ipMasq: boolean;
  /** MTU of the veth pair (and of a bridge created here); undefined keeps the kernel's. */
  mtu: number | undefined;
  hairpinMode: boolean;
  promiscMode: boolean;
  portIsolation: boolean;
  /** Run IPv6 duplicate address detection on pod addresses (`enabledad`); off, they work at once. */
  enableDad: boolean;
  /** The pod interface's MAC (`mac` capability, `args.cni.mac`, CNI_ARGS `MAC`). */
  mac: string | undefined;
  /** The IPAM plugin's `type`; undefined means a layer-2 only attachment. */
  ipamType: string | undefined;
  /** `dns` from the configuration, which wins over the IPAM plugin's. */
  dns: CniDns | undefined;
}

export const DEFAULT_BRIDGE = 'loom0';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function parseBridgeConfig(request: CniRequest): BridgeConfig {
  const c = request.config;
  rejectUnsupported(c);
  const bridge = optionalString(c, 'bridge') ?? DEFAULT_BRIDGE;
  const problem = interfaceNameProblem(bridge);
  if (problem !== undefined)
    throw invalid(`bridge ${JSON.stringify(bridge)} is not a valid interface name: ${problem}`);
  const isDefaultGateway = flag(c, 'isDefaultGateway', true);
  // The reference refuses hairpin together with promiscuous mode (the bridge would loop
  // frames back twice); hairpin is on by default only when promiscMode is not asked for.
  const promiscMode = flag(c, 'promiscMode', false);
  const hairpinMode = flag(c, 'hairpinMode', !promiscMode);
  if (hairpinMode && promiscMode) throw invalid('hairpinMode and promiscMode cannot both be true');
  return {
    network: request.network,
    bridge,
    isGateway: isDefaultGateway || flag(c, 'isGateway', true),
    isDefaultGateway,
    forceAddress: flag(c, 'forceAddress', false),
    ipMasq: flag(c, 'ipMasq', false),
    mtu: parseMtu(c.mtu),
    hairpinMode,
    promiscMode,
    portIsolation: flag(c, 'portIsolation', false),
    enableDad: flag(c, 'enabledad', false),
    mac: parseMac(c, request.env.args),
    ipamType: parseIpamType(c.ipam),
    dns: parseConfigDns(c.dns),
  };
}

// Keys of the reference plugin that Loom does not implement: refusing them (code 2, naming the
// key and value as the spec asks) beats silently building a different network.
function rejectUnsupported(c: Record<string, unknown>): void {
  const unsupported: Array<[string, (v: unknown) => boolean]> = [
    ['vlan', (v) => v !== undefined && v !== 0],
    ['vlanTrunk', (v) => Array.isArray(v) && v.length > 0],
    ['macspoofchk', (v) => v === true],
    ['disableContainerInterface', (v) => v === true],
    ['ipMasqBackend', (v) => v !== undefined && v !== 'nftables'],
  ];
  for (const [key, isSet] of unsupported) {
    if (isSet(c[key])) {
      throw new CniError(
        CNI_ERROR.unsupportedField,
        `unsupported field ${key}: ${JSON.stringify(c[key])}`,
        {
          details:
            key === 'ipMasqBackend'
              ? 'loom-cni masquerades with nftables only'
              : `loom-cni does not implement ${key}`,
        },
      );
    }
  }
}

function flag(c: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = c[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean')
    throw invalid(`${key} must be true or false, got ${describeValue(value)}`);
  return value;
}

function optionalString(c: Record<string, unknown>, key: string): string | undefined {
  const value = c[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw invalid(`${key} must be a string, got ${describeValue(value)}`);
  return value;
}

function parseMtu(value: unknown): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 68 || value > 65535) {
    throw invalid(`mtu must be an integer from 68 to 65535, got ${describeValue(value)}`);
  }
  return value;
}

// Precedence as the reference plugin: CNI_ARGS, then args.cni, then the runtime capability.
function parseMac(
  c: Record<string, unknown>,
  args: ReadonlyMap<string, string>,
): string | undefined {
  const candidates: Array<[string, unknown]> = [
    ['runtimeConfig.mac', objectOf(c.runtimeConfig).mac],
    ['args.cni.mac', objectOf(objectOf(c.args).cni).mac],
    ['CNI_ARGS MAC', args.get('MAC')],
  ];
  const [where, value] = candidates.find(([, v]) => v !== undefined && v !== '') ?? [];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !MAC.test(value))
    throw invalid(`${where} ${JSON.stringify(value)} is not a MAC address`);
  if ((Number.parseInt(value.slice(0, 2), 16) & 1) === 1)
    throw invalid(`${where} ${value} is a multicast MAC address`);
  return value.toLowerCase();
}

function parseIpamType(ipam: unknown): string | undefined {
  if (ipam === undefined || ipam === null) return undefined;
  const type = objectOf(ipam).type;
  if (typeof ipam !== 'object' || Array.isArray(ipam))
    throw invalid(`ipam must be an object, got ${describeValue(ipam)}`);
  if (Object.keys(ipam).length === 0) return undefined;
  if (typeof type !== 'string' || type === '' || /[/\\]/.test(type)) {
    throw invalid(`ipam.type must name an IPAM plugin executable, got ${describeValue(type)}`);
  }
  return type;
}

function parseConfigDns(value: unknown): CniDns | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    const dns = parseDns(value, 'dns');
    return isEmptyDns(dns) ? undefined : dns;
  } catch (error) {
    throw invalid((error as Error).message, error);
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function invalid(message: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR.invalidConfig, `invalid loom-cni configuration: ${message}`, {
    cause,
  });
}
