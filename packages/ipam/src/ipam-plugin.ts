import { parseValidAttachments } from '@loom-net/cni-spec';
import {
  attachmentOf,
  type CniPluginHandlers,
  type CniRequest,
  previousResult,
} from '@loom-net/cni-spec/skel';
import { type IpamConfig, parseIpamConfig } from './ipam-config.ts';
import {
  allocateAddresses,
  checkAddresses,
  checkAllocatorStatus,
  releaseAddresses,
  releaseStaleAddresses,
} from './ipam-operations.ts';

// One parse per request: loom-cni reads the gateways before it allocates.
const parsedConfigs = new WeakMap<CniRequest, IpamConfig>();

export function ipamConfigOf(request: CniRequest): IpamConfig {
  let config = parsedConfigs.get(request);
  if (config === undefined) {
    config = parseIpamConfig({
      config: request.config,
      network: request.network,
      args: request.env.args,
    });
    parsedConfigs.set(request, config);
  }
  return config;
}

/** The addresses of `prevResult` (bare IPs), which CHECK expects to be allocated. */
export function previousAddresses(request: CniRequest): string[] {
  return (previousResult(request)?.ips ?? []).map((ip) => ip.address.split('/')[0]!);
}

/** loom-ipam's verbs, the same whether it runs as its own binary or inside loom-cni. */
export const ipamPluginHandlers: CniPluginHandlers = {
  add: (request) => allocateAddresses(ipamConfigOf(request), attachmentOf(request.env)),
  del: (request) => {
    releaseAddresses(ipamConfigOf(request), attachmentOf(request.env));
  },
  check: (request) =>
    checkAddresses(ipamConfigOf(request), attachmentOf(request.env), previousAddresses(request)),
  gc: (request) => {
    releaseStaleAddresses(ipamConfigOf(request), parseValidAttachments(request.config));
  },
  status: (request) => checkAllocatorStatus(ipamConfigOf(request)),
};
