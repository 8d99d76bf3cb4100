// A complete CNI plugin on skel: it hands out the one address its configuration names, as an
// IPAM plugin would. Run it as a plugin binary through a wrapper in the bin dir:
//   #!/bin/sh
//   exec node --conditions=loom-source /path/to/static-ip-plugin.ts
import { CNI_ERROR, CniError, parseInterfaceAddress } from '@loom-net/cni-spec';
import { type CniRequest, previousResult, runCniPlugin } from '@loom-net/cni-spec/skel';

// {"type": "static-ip", "address": "192.0.2.10/24"}
function addressOf(request: CniRequest): string {
  const address = request.config.address;
  if (typeof address !== 'string') {
    throw new CniError(CNI_ERROR.invalidConfig, 'static-ip needs "address" (ip/prefix)');
  }
  parseInterfaceAddress(address);
  return address;
}

await runCniPlugin(
  {
    // skel prints the result in the cniVersion the runtime asked for.
    add: (request) => ({ ips: [{ address: addressOf(request) }] }),
    // DEL must succeed however often it is repeated: nothing to release here.
    del: () => {},
    check: (request) => {
      const listed = previousResult(request)?.ips?.map((ip) => ip.address) ?? [];
      if (!listed.includes(addressOf(request))) {
        throw new CniError(CNI_ERROR.checkFailed, `prevResult does not hold ${addressOf(request)}`);
      }
    },
    gc: () => {},
    status: () => {},
  },
  'static-ip',
);
