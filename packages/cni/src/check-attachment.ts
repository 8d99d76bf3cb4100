import { CNI_ERROR, CniError, type CniResult, parseInterfaceAddress } from '@loom-net/cni-spec';
import { attachmentOf, type CniRequest, previousResult } from '@loom-net/cni-spec/skel';
import {
  type CommandRunner,
  type IpLinkJson,
  ipLinks,
  ipRoutes,
  isKernelCommandError,
} from '@loom-net/core/kernel';
import { formatCidr, type IpAddress, parseCidr, parseIp, tryParseIp } from '@loom-net/core/net';
import { type BridgeConfig, parseBridgeConfig } from './bridge-config.ts';
import { ipamDelegate } from './ipam-delegate.ts';
import { kernelFailure } from './kernel-links.ts';
import { hostVethName } from './link-plan.ts';
import { listMasquerade } from './masquerade.ts';
import { attachmentComment } from './masquerade-rules.ts';
import { requirePodNetns } from './netns-ref.ts';
import { planPodAddressing } from './pod-addressing.ts';

/**
 * CHECK (SPEC.md section 2): the pod interface of `prevResult` exists in CNI_NETNS with its
 * MAC, addresses and routes; its host end hangs on the bridge, which holds the gateways; the
 * IPAM plugin still holds the addresses; masquerade covers them. Later chained plugins may add
 * routes and addresses, so only what is listed must be there.
 */
export async function checkAttachment(request: CniRequest, kernel: CommandRunner): Promise<void> {
  const config = parseBridgeConfig(request);
  const attachment = attachmentOf(request.env);
  const netns = requirePodNetns(request.env.netns);
  const previous = previousResult(request);
  if (previous === undefined) {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      'CHECK needs prevResult, the result of the ADD being checked',
    );
  }
  const podIndex = (previous.interfaces ?? []).findIndex(
    (i) => i.name === attachment.ifname && i.sandbox === netns.path,
  );
  if (podIndex < 0)
    throw failed(`prevResult lists no interface ${attachment.ifname} in sandbox ${netns.path}`);
  const expectedIps = (previous.ips ?? [])
    .filter((ip) => ip.interface === podIndex)
    .map((ip) => ip.address);

  const pod = await showLink(kernel, attachment.ifname, netns.name, `in netns ${netns.path}`);
  const podMac = previous.interfaces![podIndex]!.mac;
  if (podMac !== undefined && pod.address?.toLowerCase() !== podMac.toLowerCase()) {
    throw failed(
      `${attachment.ifname} in netns ${netns.path} has MAC ${pod.address}, prevResult says ${podMac}`,
    );
  }
  for (const address of expectedIps) {
    const { ip, prefix } = parseInterfaceAddress(address);
    const held = pod.addr_info.some((a) => a.prefixlen === prefix && sameIp(a.local, ip));
    if (!held) throw failed(`${attachment.ifname} in netns ${netns.path} lacks address ${address}`);
  }
  await checkRoutes(kernel, previous, netns.name, netns.path);
  await checkHost(kernel, config, hostVethName(config.network, attachment), expectedIps, previous);
  if (config.ipamType !== undefined) await ipamDelegate(request, config.ipamType).check();
  if (config.ipMasq && expectedIps.length > 0)
    await checkMasquerade(kernel, config, request, expectedIps);
}

async function showLink(
  kernel: CommandRunner,
  name: string,
  netns: string | undefined,
  where: string,
): Promise<IpLinkJson> {
  try {
    const [link] = await ipLinks(kernel, ['addr', 'show', 'dev', name], netns);
    if (link) return link;
  } catch (error) {
    if (!isKernelCommandError(error, 'not-found'))
      throw kernelFailure(`cannot look up ${name} ${where}`, error);
  }
  throw failed(`interface ${name} ${where} is missing`);
}

async function checkRoutes(
  kernel: CommandRunner,
  previous: CniResult,
  netns: string,
  path: string,
): Promise<void> {
  const routes = previous.routes ?? [];
  if (routes.length === 0) return;
  const [v4, v6] = await Promise.all([
    ipRoutes(kernel, ['route', 'show', 'table', 'all'], netns),
    ipRoutes(kernel, ['-6', 'route', 'show', 'table', 'all'], netns),
  ]).catch((error) => {
    throw kernelFailure(`cannot list routes in netns ${path}`, error);
  });
  const present = [...v4, ...v6];
  for (const route of routes) {
    const dst = normalizeDestination(route.dst);
    const family = dst.includes(':') ? 6 : 4;
    const gw = route.gw === undefined ? undefined : parseIp(route.gw);
    const found = present.some(
      (r) =>
        normalizeDestination(r.dst, family) === dst && (gw === undefined || sameIp(r.gateway, gw)),
    );
    if (!found)
      throw failed(
        `route to ${route.dst}${route.gw ? ` via ${route.gw}` : ''} is missing in netns ${path}`,
      );
  }
}

async function checkHost(
  kernel: CommandRunner,
  config: BridgeConfig,
  hostVeth: string,
  expectedIps: readonly string[],
  previous: CniResult,
): Promise<void> {
  const veth = await showLink(kernel, hostVeth, undefined, 'on the host');
  if (veth.master !== config.bridge)
    throw failed(`host veth ${hostVeth} is not attached to bridge ${config.bridge}`);
  if (!config.isGateway || expectedIps.length === 0) return;
  const bridge = await showLink(kernel, config.bridge, undefined, 'on the host');
  const ips = (previous.ips ?? []).filter((ip) => expectedIps.includes(ip.address));
  const { gatewayAddresses } = planPodAddressing({ ips }, config, 'prevResult');
  for (const gateway of gatewayAddresses) {
    const held = bridge.addr_info.some(
      (a) => a.prefixlen === gateway.prefix && sameIp(a.local, gateway.ip),
    );
    if (!held)
      throw failed(
        `bridge ${config.bridge} lacks its gateway address for prefix /${gateway.prefix}`,
      );
  }
}

async function checkMasquerade(
  kernel: CommandRunner,
  config: BridgeConfig,
  request: CniRequest,
  expectedIps: readonly string[],
): Promise<void> {
  const comment = attachmentComment(attachmentOf(request.env));
  const elements = await listMasquerade(kernel, config.network).catch((error) => {
    throw kernelFailure('cannot list masquerade elements', error);
  });
  for (const address of expectedIps) {
    const { ip } = parseInterfaceAddress(address);
    if (!elements.some((e) => e.comment === comment && sameIp(e.address, ip))) {
      throw failed(`address ${address} is not masqueraded for ${comment}`);
    }
  }
}

// `ip -json` prints `default`, and host routes without a prefix length.
function normalizeDestination(dst: string, family?: 4 | 6): string {
  if (dst === 'default') return family === 6 ? '::/0' : '0.0.0.0/0';
  const withPrefix = dst.includes('/') ? dst : `${dst}/${dst.includes(':') ? 128 : 32}`;
  try {
    return formatCidr(parseCidr(withPrefix, { maskHostBits: true }));
  } catch {
    return dst;
  }
}

function sameIp(text: string | undefined, expected: IpAddress): boolean {
  const ip = text === undefined ? undefined : tryParseIp(text);
  return ip !== undefined && ip.family === expected.family && ip.value === expected.value;
}

function failed(message: string): CniError {
  return new CniError(CNI_ERROR.checkFailed, message);
}
