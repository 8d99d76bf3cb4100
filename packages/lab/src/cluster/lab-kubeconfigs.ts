import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import { apiServerUrl } from '../config/network-plan.ts';
import { pkiFiles } from '../pki/pki.ts';
import { clusterName, renderKubeconfig } from './kubeconfig.ts';

function kubeconfigFor(
  config: LabConfig,
  pair: { cert: string; key: string },
  userName: string,
  server: string,
): string {
  const pki = pkiFiles(config.paths.pkiDir);
  return renderKubeconfig({
    clusterName: clusterName(config),
    server,
    userName,
    caPem: readFileSync(pki.ca.cert, 'utf8'),
    certPem: readFileSync(pair.cert, 'utf8'),
    keyPem: readFileSync(pair.key, 'utf8'),
  });
}

/** The kubeconfigs used inside the control-plane namespace (server 192.168.1.10:6443). */
export function writeControlPlaneKubeconfigs(config: LabConfig): void {
  const pki = pkiFiles(config.paths.pkiDir);
  const server = apiServerUrl();
  const { paths } = config;
  writeFileAtomicSync(paths.adminKubeconfig, kubeconfigFor(config, pki.admin, 'admin', server), {
    mode: 0o600,
  });
  writeFileAtomicSync(
    paths.controllerManagerKubeconfig,
    kubeconfigFor(config, pki.controllerManager, 'kube-controller-manager', server),
    { mode: 0o600 },
  );
  writeFileAtomicSync(
    paths.schedulerKubeconfig,
    kubeconfigFor(config, pki.scheduler, 'kube-scheduler', server),
    { mode: 0o600 },
  );
}

/** The admin kubeconfig for the root namespace, through the bridge on 127.0.0.1:`port`. */
export function writeHostKubeconfig(config: LabConfig, port: number): void {
  const pki = pkiFiles(config.paths.pkiDir);
  const server = `https://127.0.0.1:${port}`;
  writeFileAtomicSync(
    config.paths.hostKubeconfig,
    kubeconfigFor(config, pki.admin, 'admin', server),
    { mode: 0o600 },
  );
}
