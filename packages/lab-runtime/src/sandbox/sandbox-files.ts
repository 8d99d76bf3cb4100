import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DNSConfig, PodSandboxConfig } from '../cri/cri-types.ts';

/** containerd's parseDNSOptions: search, nameserver lines, options. */
export function renderResolvConf(dns: DNSConfig): string {
  let text = '';
  if (dns.searches.length > 0) text += `search ${dns.searches.join(' ')}\n`;
  for (const server of dns.servers) text += `nameserver ${server}\n`;
  if (dns.options.length > 0) text += `options ${dns.options.join(' ')}\n`;
  return text;
}

export interface SandboxFiles {
  '/etc/hostname': string;
  '/etc/resolv.conf': string;
  '/etc/hosts': string;
}

export function sandboxFiles(dir: string): SandboxFiles {
  return {
    '/etc/hostname': join(dir, 'hostname'),
    '/etc/resolv.conf': join(dir, 'resolv.conf'),
    '/etc/hosts': join(dir, 'hosts'),
  };
}

function copyOrEmpty(source: string, target: string): void {
  if (existsSync(source)) copyFileSync(source, target);
  else writeFileSync(target, '');
}

/**
 * The files every container of the pod sees (containerd's setupSandboxFiles): resolv.conf from
 * the DNS config (the node's own when there is none), the hostname, a copy of the node's hosts
 * file for containers the kubelet gives no /etc/hosts.
 */
export function writeSandboxFiles(dir: string, config: PodSandboxConfig): SandboxFiles {
  mkdirSync(dir, { recursive: true });
  const files = sandboxFiles(dir);
  const resolv = config.dns_config === null ? '' : renderResolvConf(config.dns_config);
  if (resolv === '') copyOrEmpty('/etc/resolv.conf', files['/etc/resolv.conf']);
  else writeFileSync(files['/etc/resolv.conf'], resolv, { mode: 0o644 });
  writeFileSync(files['/etc/hostname'], `${podHostname(config)}\n`, { mode: 0o644 });
  copyOrEmpty('/etc/hosts', files['/etc/hosts']);
  return files;
}

export function podHostname(config: PodSandboxConfig): string {
  return config.hostname || hostname();
}
