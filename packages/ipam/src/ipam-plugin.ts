import { type IpamConfig, parseIpamConfig } from './ipam-config.ts';
import {
  allocateAddresses,
  checkAddresses,
  checkAllocatorStatus,
  releaseAddresses,
  releaseStaleAddresses,
} from './ipam-operations.ts';
import { attachmentOf } from './protocol/cni-env.ts';
import type { CniRequest } from './protocol/cni-request.ts';
import { parseResult } from './protocol/cni-result.ts';
import type { CniPluginHandlers } from './protocol/plugin-main.ts';
import { parseValidAttachments } from './protocol/valid-attachments.ts';

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
  if (request.config.prevResult === undefined) return [];
  const previous = parseResult(request.config.prevResult, 'prevResult');
  return (previous.ips ?? []).map((ip) => ip.address.split('/')[0]!);
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
