import type { KubeClient } from '@loom-net/core';
import type { ImageDescription } from '@loom-net/image/build';
import { formatInstallSummary, type InstallReport, installLoom } from '@loom-net/install';
import { LAB_NETWORK } from '../config/network-plan.ts';
import type { NodeSettings } from '../config/node-settings.ts';
import { LabError } from '../errors.ts';

export type LabInstallReport = InstallReport;

export interface LabInstallOptions {
  client: KubeClient;
  settings: NodeSettings;
  image: ImageDescription;
  progress: (line: string) => void;
  timeoutMs?: number;
}

/**
 * `loom install` against the lab, as a user runs it on a fresh cluster: the lab's facts are
 * given rather than discovered (the lab knows them; discovery is tested on its own), the
 * image pinned by the digest of the archive the nodes' runtimes serve, and the podCIDR
 * allocator installed when the lab leaves podCIDRs to Loom (`--pod-cidrs loom`).
 */
export async function installLabLoom(options: LabInstallOptions): Promise<LabInstallReport> {
  const { settings, image, progress } = options;
  const report = await installLoom({
    client: options.client,
    // The route-agent component is the loom-node DaemonSet, which deploy/'s cni component
    // gives its CNI-installing init container.
    components: ['route-agent', ...(settings.podCidrs === 'loom' ? ['pod-cidr-allocator'] : [])],
    clusterCidrs: [LAB_NETWORK.clusterCidr],
    serviceCidrs: [LAB_NETWORK.serviceCidr],
    apiServer: { host: LAB_NETWORK.controlPlaneIp, port: LAB_NETWORK.apiServerPort },
    image: `${image.reference}@${image.digest}`,
    timeoutMs: options.timeoutMs ?? 180_000,
    onProgress: (line) => progress(`loom install: ${line.trimEnd()}`),
  });
  if (!report.ok) {
    throw new LabError(
      'LOOM_LAB_INSTALL_FAILED',
      `loom install did not finish:\n${formatInstallSummary(report).join('\n')}`,
    );
  }
  return report;
}
