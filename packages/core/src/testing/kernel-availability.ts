import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const TOOLS = ['ip', 'nsenter', 'nft', 'conntrack', 'sysctl'] as const;

let cachedReason: string | undefined | null = null;

function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function findSkipReason(): string | undefined {
  const uid = process.getuid?.();
  if (uid !== 0) return `kernel tests need root to create network namespaces (uid is ${uid})`;
  const missing = TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `kernel tests need ${missing.join(', ')} on PATH`;
  return undefined;
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function netnsSkipReason(): string | undefined {
  if (cachedReason === null) cachedReason = findSkipReason();
  return cachedReason;
}

/** True when this process may create network namespaces and run the kernel tools. */
export function canUseNetns(): boolean {
  return netnsSkipReason() === undefined;
}

/** Throws, with the reason, unless kernel tests can run here. */
export function requireRoot(): void {
  const reason = netnsSkipReason();
  if (reason !== undefined) throw new Error(reason);
}

/** A suite title that says why it was skipped: `describe.skipIf(!canUseNetns())(kernelSuiteTitle('…'), …)`. */
export function kernelSuiteTitle(title: string): string {
  const reason = netnsSkipReason();
  return reason === undefined ? title : `${title} (skipped: ${reason})`;
}
