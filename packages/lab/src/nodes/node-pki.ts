import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core';
import { clusterName, renderKubeconfig } from '../cluster/kubeconfig.ts';
import type { LabConfig } from '../config/lab-config.ts';
import { apiServerUrl } from '../config/network-plan.ts';
import type { CertificateSpec } from '../pki/certificate-specs.ts';
import { generateLeaf, pkiFiles } from '../pki/pki.ts';
import type { NodePlan } from './node-plan.ts';

/**
 * A node's two certificates. The client one is what the Node authorizer and NodeRestriction
 * key on: user `system:node:<name>` in group `system:nodes`, so a kubelet may write only its
 * own Node, Lease and pods' status, as on a real cluster. The serving one names the node's
 * address, which is what the API server dials (--kubelet-preferred-address-types=InternalIP).
 */
export function nodeCertificates(node: Pick<NodePlan, 'name' | 'ip'>): CertificateSpec[] {
  const identity = { commonName: `system:node:${node.name}`, organization: 'system:nodes' };
  return [
    { name: 'kubelet-client', ...identity, usage: 'client' },
    {
      name: 'kubelet-serving',
      ...identity,
      usage: 'server',
      dnsNames: [node.name],
      ipAddresses: [node.ip],
    },
  ];
}

export function nodePkiFiles(node: Pick<NodePlan, 'pkiDir'>) {
  const pair = (name: string) => ({
    cert: join(node.pkiDir, `${name}.crt`),
    key: join(node.pkiDir, `${name}.key`),
  });
  return { client: pair('kubelet-client'), serving: pair('kubelet-serving') };
}

/**
 * Issues the node's certificates from the lab CA unless they exist (`renew` after the CA was
 * remade). Made in a scratch directory and renamed into place, like the lab's own set.
 */
export async function ensureNodePki(
  config: LabConfig,
  node: NodePlan,
  renew: boolean,
): Promise<boolean> {
  const files = nodePkiFiles(node);
  const all = [files.client.cert, files.client.key, files.serving.cert, files.serving.key];
  if (!renew && all.every((file) => existsSync(file))) return false;
  const scratch = await mkdtemp(`${node.pkiDir}.partial-`);
  try {
    for (const spec of nodeCertificates(node)) {
      await generateLeaf(scratch, spec, config.paths.pkiDir);
    }
    await rm(node.pkiDir, { recursive: true, force: true });
    await rename(scratch, node.pkiDir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return true;
}

/** The kubelet's kubeconfig: the API server on the underlay, the node's client certificate. */
export function writeKubeletKubeconfig(config: LabConfig, node: NodePlan): void {
  const files = nodePkiFiles(node);
  const content = renderKubeconfig({
    clusterName: clusterName(config),
    server: apiServerUrl(),
    userName: `system:node:${node.name}`,
    caPem: readFileSync(pkiFiles(config.paths.pkiDir).ca.cert, 'utf8'),
    certPem: readFileSync(files.client.cert, 'utf8'),
    keyPem: readFileSync(files.client.key, 'utf8'),
  });
  writeFileAtomicSync(node.kubeletKubeconfig, content, { mode: 0o600 });
}
