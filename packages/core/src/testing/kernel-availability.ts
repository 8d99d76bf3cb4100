import { delimiter } from 'node:path';
import { findExecutable } from '../kernel/find-executable.ts';
import { skipOrFailInCi } from './prerequisites.ts';

/** The kernel tier's tools, and the Debian package of each. */
export const KERNEL_TOOLS: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  nsenter: 'util-linux',
  nft: 'nftables',
  conntrack: 'conntrack',
  sysctl: 'procps',
};

let cachedReason: string | undefined | null = null;

function onPath(tool: string, path: string): boolean {
  return findExecutable(tool, path.split(delimiter)) !== undefined;
}

/** Why the kernel tier cannot run with this uid and PATH, or undefined when it can. */
export function kernelTierMissing(
  uid: number | undefined = process.getuid?.(),
  path: string = process.env.PATH ?? '',
): string | undefined {
  if (uid !== 0) return `kernel tests need root to create network namespaces (uid is ${uid})`;
  const missing = Object.keys(KERNEL_TOOLS).filter((tool) => !onPath(tool, path));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((tool) => KERNEL_TOOLS[tool]))].join(' ');
  return `kernel tests need ${missing.join(', ')} on PATH (Debian: apt-get install ${packages})`;
}

/**
 * Why kernel tests cannot run here, or undefined when they can. Under CI a reason is an
 * error instead (see skipOrFailInCi): the kernel tier never turns into silent skips there.
 */
export function netnsSkipReason(): string | undefined {
  if (cachedReason === null) cachedReason = kernelTierMissing();
  return skipOrFailInCi(cachedReason);
}

/** True when this process may create network namespaces and run the kernel tools. */
export function canUseNetns(): boolean {
  return netnsSkipReason() === undefined;
}

/** Throws, with the reason, unless kernel tests can run here. */
export function requireRoot(): void {
  const reason = kernelTierMissing();
  if (reason !== undefined) throw new Error(reason);
}

/** A suite title that says why it was skipped: `describe.skipIf(!canUseNetns())(kernelSuiteTitle('…'), …)`. */
export function kernelSuiteTitle(title: string): string {
  const reason = netnsSkipReason();
  return reason === undefined ? title : `${title} (skipped: ${reason})`;
}
