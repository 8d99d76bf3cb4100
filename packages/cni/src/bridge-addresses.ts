import {
  CNI_ERROR,
  CniError,
  formatInterfaceAddress,
  type InterfaceAddress,
  subnetOf,
} from '@loom-net/cni-spec';
import { type CommandRunner, type IpLinkJson, ipBatch, ipLinks } from '@loom-net/core/kernel';
import { overlaps, tryParseIp } from '@loom-net/core/net';
import { kernelFailure } from './kernel-links.ts';

/** The IPv4 and IPv6 addresses a link shown by `ip -json addr show` holds. */
export function heldAddresses(link: IpLinkJson | undefined): InterfaceAddress[] {
  return (link?.addr_info ?? []).flatMap((a) => {
    const ip = tryParseIp(a.local);
    return ip === undefined ? [] : [{ ip, prefix: a.prefixlen }];
  });
}

/** What must change on the bridge for it to hold the gateways. */
export interface BridgeAddressChange {
  remove: InterfaceAddress[];
  add: InterfaceAddress[];
}

/**
 * As the reference plugin's ensureAddr: a gateway the bridge holds (same address and prefix)
 * is left alone. Otherwise an address in its way is an error unless `forceAddress`, which
 * removes it: for IPv4 any other address, for IPv6 one whose subnet overlaps the gateway's (a
 * link-local address or another network's IPv6 subnet may stay). Unlike the reference, the
 * network's own other gateways are never in the way (a configuration with two IPv4 ranges).
 */
export function bridgeAddressChange(
  bridge: string,
  held: readonly InterfaceAddress[],
  gateways: readonly InterfaceAddress[],
  forceAddress: boolean,
): BridgeAddressChange {
  const change: BridgeAddressChange = { remove: [], add: [] };
  for (const gateway of gateways) {
    if (held.some((a) => sameAddress(a, gateway))) continue;
    const inTheWay = held.filter(
      (a) =>
        a.ip.family === gateway.ip.family &&
        !gateways.some((g) => sameAddress(a, g)) &&
        (a.ip.family === 4 || overlaps(subnetOf(a), subnetOf(gateway))),
    );
    if (inTheWay.length > 0 && !forceAddress) {
      throw new CniError(
        CNI_ERROR.bridgeAddressConflict,
        `"${bridge}" already has an IP address different from ${formatInterfaceAddress(gateway)}`,
        {
          details: `it holds ${inTheWay.map(formatInterfaceAddress).join(', ')}; set forceAddress to replace that, or remove it from ${bridge}`,
        },
      );
    }
    for (const address of inTheWay) {
      if (!change.remove.some((r) => sameAddress(r, address))) change.remove.push(address);
    }
    change.add.push(gateway);
  }
  return change;
}

/** `ip -batch` lines making the change: removals first, gateways without IPv6 DAD. */
export function bridgeAddressLines(bridge: string, change: BridgeAddressChange): string[] {
  return [
    ...change.remove.map((a) => `addr del ${formatInterfaceAddress(a)} dev ${bridge}`),
    ...change.add.map((a) => {
      const nodad = a.ip.family === 6 ? ' nodad' : '';
      return `addr replace ${formatInterfaceAddress(a)} dev ${bridge}${nodad}`;
    }),
  ];
}

/**
 * Gives the bridge its gateway addresses, starting from what it held when shown (usually
 * they are all there and nothing runs). A parallel ADD may change the addresses in between,
 * so a failed change is planned once more from a fresh listing.
 */
export async function ensureBridgeAddresses(
  kernel: CommandRunner,
  bridge: string,
  gateways: readonly InterfaceAddress[],
  forceAddress: boolean,
  shown: IpLinkJson | undefined,
): Promise<void> {
  let held = heldAddresses(shown);
  for (let attempt = 0; ; attempt++) {
    const lines = bridgeAddressLines(
      bridge,
      bridgeAddressChange(bridge, held, gateways, forceAddress),
    );
    if (lines.length === 0) return;
    try {
      await ipBatch(kernel, lines);
      return;
    } catch (error) {
      if (attempt > 0) throw kernelFailure(`cannot set the addresses of bridge ${bridge}`, error);
    }
    const [link] = await ipLinks(kernel, ['addr', 'show', 'dev', bridge]).catch((error) => {
      throw kernelFailure(`cannot list the addresses of bridge ${bridge}`, error);
    });
    held = heldAddresses(link);
  }
}

function sameAddress(a: InterfaceAddress, b: InterfaceAddress): boolean {
  return a.ip.family === b.ip.family && a.ip.value === b.ip.value && a.prefix === b.prefix;
}
