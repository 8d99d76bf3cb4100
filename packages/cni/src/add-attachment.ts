import {
  CNI_ERROR,
  type CniAttachment,
  CniError,
  type CniInterface,
  type CniResult,
  type InterfaceAddress,
} from '@loom-net/cni-spec';
import { attachmentOf, type CniRequest, previousResult } from '@loom-net/cni-spec/skel';
import {
  type CommandRunner,
  type IpLinkJson,
  ipBatch,
  isKernelCommandError,
  parseIpLinks,
} from '@loom-net/core/kernel';
import { ipamConfigOf } from '@loom-net/ipam';
import { ensureBridgeAddresses } from './bridge-addresses.ts';
import { type BridgeConfig, parseBridgeConfig } from './bridge-config.ts';
import { enableForwarding } from './forwarding.ts';
import { IpBatchError, ipBatchJson } from './ip-batch.ts';
import { ipamDelegate, LOOM_IPAM } from './ipam-delegate.ts';
import { kernelFailure, linkExists, removeLink } from './kernel-links.ts';
import {
  bridgeCreateLines,
  hostSetupLines,
  hostVethName,
  type LinkPlan,
  podSetupLines,
  randomMac,
} from './link-plan.ts';
import { addMasquerade, removeAttachmentMasquerade } from './masquerade.ts';
import { requirePodNetns } from './netns-ref.ts';
import { type PodAddressing, planPodAddressing } from './pod-addressing.ts';
import { createRollback, type Rollback } from './rollback.ts';

/**
 * ADD (SPEC.md section 2): addresses from IPAM, the veth pair with its pod end in CNI_NETNS,
 * the bridge with the gateway, routes, optional masquerade. Each side effect registers its
 * undo first thing after it happens; any failure runs them, so a failed ADD leaves nothing.
 */
export async function addAttachment(
  request: CniRequest,
  kernel: CommandRunner,
): Promise<CniResult> {
  const config = parseBridgeConfig(request);
  const attachment = attachmentOf(request.env);
  const podNetns = requirePodNetns(request.env.netns);
  const previous = previousResult(request) ?? {};
  const rollback = createRollback();
  try {
    const links = linkPlan(config, attachment, podNetns.path);
    const gateways = gatewaysBeforeAllocation(request, config);
    let bridgeMac: string | undefined;
    let addressing: PodAddressing | undefined;
    if (gateways !== undefined) {
      // The host side needs nothing from the allocation here: its ip process runs while
      // loom-ipam's transaction does, which takes a few milliseconds off every ADD.
      const host = setUpHost(
        kernel,
        { ...links, gatewayAddresses: gateways },
        config.forceAddress,
        podNetns.name,
        rollback,
      );
      [bridgeMac, addressing] = await both(host, allocateAddresses(request, config, rollback));
    } else {
      addressing = await allocateAddresses(request, config, rollback);
      bridgeMac = await setUpHost(
        kernel,
        { ...links, gatewayAddresses: addressing?.gatewayAddresses ?? [] },
        config.forceAddress,
        podNetns.name,
        rollback,
      );
    }
    const plan: LinkPlan = {
      ...links,
      gatewayAddresses: gateways ?? addressing?.gatewayAddresses ?? [],
      podAddresses: addressing?.podAddresses ?? [],
      podRoutes: addressing?.podRoutes ?? [],
    };
    if (plan.gatewayAddresses.length > 0) await enableForwarding(kernel, plan.gatewayAddresses);
    await ipBatch(kernel, podSetupLines(plan), podNetns.name).catch((error) => {
      throw kernelFailure(`cannot configure ${plan.podInterface} in netns ${podNetns.path}`, error);
    });
    if (config.ipMasq && plan.podAddresses.length > 0) {
      rollback.push('masquerade elements', () =>
        removeAttachmentMasquerade(kernel, config.network, attachment),
      );
      await addMasquerade(kernel, config.network, attachment, plan.podAddresses).catch((error) => {
        throw kernelFailure(
          `cannot set up masquerading for ${attachment.containerId}/${attachment.ifname}`,
          error,
        );
      });
    }
    return buildResult(previous, config, plan, bridgeMac, addressing);
  } catch (error) {
    await rollback.run();
    throw error;
  }
}

function linkPlan(config: BridgeConfig, attachment: CniAttachment, podNetnsPath: string): LinkPlan {
  return {
    bridge: config.bridge,
    bridgeMac: randomMac(),
    hostVeth: hostVethName(config.network, attachment),
    hostMac: randomMac(),
    podInterface: attachment.ifname,
    podMac: config.mac ?? randomMac(),
    podNetnsPath,
    mtu: config.mtu,
    hairpin: config.hairpinMode,
    isolated: config.portIsolation,
    promisc: config.promiscMode,
    gatewayAddresses: [],
    podAddresses: [],
    podRoutes: [],
    noDad: !config.enableDad,
  };
}

/**
 * The bridge's gateway addresses when they are known before IPAM answers: none when the
 * bridge is not the gateway; for loom-ipam, every range's gateway from the configuration
 * (which is what it returns). A delegated plugin's gateways are known only from its result.
 */
function gatewaysBeforeAllocation(
  request: CniRequest,
  config: BridgeConfig,
): InterfaceAddress[] | undefined {
  if (!config.isGateway || config.ipamType === undefined) return [];
  if (config.ipamType !== LOOM_IPAM) return undefined;
  const gateways = ipamConfigOf(request).rangeSets.flatMap((set) =>
    set.flatMap((range) =>
      range.gateway === undefined ? [] : [{ ip: range.gateway, prefix: range.cidr.prefix }],
    ),
  );
  return gateways.filter(
    (g, i) =>
      gateways.findIndex((o) => o.ip.family === g.ip.family && o.ip.value === g.ip.value) === i,
  );
}

/** Awaits both, so that each registers its undo step, then fails with the first failure. */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

async function allocateAddresses(
  request: CniRequest,
  config: BridgeConfig,
  rollback: Rollback,
): Promise<PodAddressing | undefined> {
  if (config.ipamType === undefined) return undefined;
  const ipam = ipamDelegate(request, config.ipamType);
  const result = await ipam.add(rollback);
  return planPodAddressing(result, config, ipam.type);
}

/**
 * Runs the host batch; creates the bridge first if the batch says it is missing. Then gives
 * the bridge its gateway addresses if it lacks them (refused when another address is in the
 * way and forceAddress is off). Returns the bridge's MAC. A clash on the veth line means
 * CNI_IFNAME exists in the pod (an error, as the spec demands), or a host end left by a killed
 * ADD of this attachment (removed, then retried).
 */
async function setUpHost(
  kernel: CommandRunner,
  plan: LinkPlan,
  forceAddress: boolean,
  podNetns: string,
  rollback: Rollback,
): Promise<string | undefined> {
  const lines = [...hostSetupLines(plan), `addr show dev ${plan.bridge}`];
  const vethLine = lines.findIndex((line) => line.startsWith(`link add ${plan.hostVeth}`));
  for (let attempt = 0; ; attempt++) {
    let bridge: IpLinkJson | undefined;
    try {
      // The last line, `addr show`, is the only one that prints.
      const shown = (await ipBatchJson(kernel, lines)).at(-1);
      bridge = Array.isArray(shown) ? parseIpLinks(shown)[0] : undefined;
    } catch (error) {
      if (!(error instanceof IpBatchError) || attempt >= 2)
        throw kernelFailure(`cannot set up ${plan.hostVeth} on bridge ${plan.bridge}`, error);
      if (error.lineIndex > vethLine) {
        await removeLink(kernel, plan.hostVeth);
        throw kernelFailure(`cannot set up ${plan.hostVeth} on bridge ${plan.bridge}`, error);
      }
      if (error.lineIndex === 0 && error.kernelError.reason === 'not-found')
        await createBridge(kernel, plan);
      else if (error.lineIndex === vethLine && error.kernelError.reason === 'exists')
        await resolveClash(kernel, plan, podNetns);
      else throw kernelFailure(`cannot set up ${plan.hostVeth} on bridge ${plan.bridge}`, error);
      continue;
    }
    rollback.push(`veth ${plan.hostVeth}`, () => removeLink(kernel, plan.hostVeth));
    await ensureBridgeAddresses(kernel, plan.bridge, plan.gatewayAddresses, forceAddress, bridge);
    return bridge?.address;
  }
}

async function createBridge(kernel: CommandRunner, plan: LinkPlan): Promise<void> {
  try {
    await ipBatch(kernel, bridgeCreateLines(plan));
  } catch (error) {
    // A parallel ADD created it first: fine.
    if (!isKernelCommandError(error, 'exists'))
      throw kernelFailure(`cannot create bridge ${plan.bridge}`, error);
  }
}

async function resolveClash(
  kernel: CommandRunner,
  plan: LinkPlan,
  podNetns: string,
): Promise<void> {
  if (await linkExists(kernel, plan.podInterface, podNetns)) {
    throw new CniError(
      CNI_ERROR.interfaceExists,
      `interface ${plan.podInterface} already exists in netns ${plan.podNetnsPath}`,
      {
        details: 'ADD must not be called twice for one attachment without a DEL in between',
      },
    );
  }
  await removeLink(kernel, plan.hostVeth);
}

function buildResult(
  previous: CniResult,
  config: BridgeConfig,
  plan: LinkPlan,
  bridgeMac: string | undefined,
  addressing: PodAddressing | undefined,
): CniResult {
  const before = previous.interfaces ?? [];
  const mtu = config.mtu === undefined ? {} : { mtu: config.mtu };
  const interfaces: CniInterface[] = [
    ...before,
    { name: plan.bridge, ...(bridgeMac ? { mac: bridgeMac } : {}) },
    { name: plan.hostVeth, mac: plan.hostMac, ...mtu },
    { name: plan.podInterface, mac: plan.podMac, ...mtu, sandbox: plan.podNetnsPath },
  ];
  const podIndex = interfaces.length - 1;
  const ips = [
    ...(previous.ips ?? []),
    ...(addressing?.ips ?? []).map((ip) => ({ ...ip, interface: podIndex })),
  ];
  const routes = [...(previous.routes ?? []), ...(addressing?.routes ?? [])];
  const dns = config.dns ?? addressing?.dns ?? previous.dns;
  return { interfaces, ips, routes, ...(dns ? { dns } : {}) };
}
