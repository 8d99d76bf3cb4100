import { readFileSync } from 'node:fs';
import type { InterfaceAddress } from '@loom-net/cni-spec';
import { type CommandRunner, sysctlSet } from '@loom-net/core/kernel';
import { kernelFailure } from './kernel-links.ts';

const FORWARDING = { 4: 'net.ipv4.ip_forward', 6: 'net.ipv6.conf.all.forwarding' } as const;

/**
 * A gateway bridge forwards, so IP forwarding is switched on for each family it serves (as the
 * reference plugin's isGateway). /proc/sys/net shows the reading process's own namespace, so
 * the common case (already on) costs a file read, not a sysctl process.
 */
export async function enableForwarding(
  kernel: CommandRunner,
  gateways: readonly InterfaceAddress[],
): Promise<void> {
  const families = new Set(gateways.map((address) => address.ip.family));
  for (const family of families) {
    const key = FORWARDING[family];
    if (readSysctl(key) === '1') continue;
    await sysctlSet(kernel, key, '1').catch((error) => {
      throw kernelFailure(`cannot enable IPv${family} forwarding`, error);
    });
  }
}

function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${key.replaceAll('.', '/')}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
