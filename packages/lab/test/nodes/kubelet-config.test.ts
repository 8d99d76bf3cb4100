import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { kubeletArgs, renderKubeletConfig } from '../../src/nodes/kubelet-config.ts';
import { planNode } from '../../src/nodes/node-plan.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-' }, {});
const node = planNode(config, 1);
const rendered = JSON.parse(
  renderKubeletConfig({
    node,
    clientCaFile: '/var/lib/loom-lab/pki/ca.crt',
    tlsCertFile: '/var/lib/loom-lab/nodes/node1/pki/kubelet-serving.crt',
    tlsPrivateKeyFile: '/var/lib/loom-lab/nodes/node1/pki/kubelet-serving.key',
    nodeLeaseDurationSeconds: 20,
  }),
);

describe('the kubelet configuration', () => {
  // What k8s-build.md measured: without these the kubelet refuses this machine or makes cgroups.
  it.each([
    ['failCgroupV1', false],
    ['cgroupDriver', 'cgroupfs'],
    ['cgroupsPerQOS', false],
    ['enforceNodeAllocatable', []],
    ['failSwapOn', false],
    ['localStorageCapacityIsolation', false],
  ])('sets %s to %j', (key, value) => {
    expect(rendered[key]).toEqual(value);
  });

  it('serves on the node address with a lab-CA certificate, and lets only authenticated clients in', () => {
    expect(rendered).toMatchObject({
      address: '192.168.1.11',
      port: 10250,
      readOnlyPort: 0,
      tlsCertFile: '/var/lib/loom-lab/nodes/node1/pki/kubelet-serving.crt',
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: '/var/lib/loom-lab/pki/ca.crt' },
      },
      authorization: { mode: 'Webhook' },
    });
  });

  it('talks to the node runtime and gives pods the cluster DNS only', () => {
    expect(rendered).toMatchObject({
      containerRuntimeEndpoint: 'unix:///run/loom/lab-runtime.sock',
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      resolvConf: '',
      nodeLeaseDurationSeconds: 20,
    });
  });

  it('names the node and its address on the command line, the state dir included', () => {
    expect(kubeletArgs(node)).toEqual([
      '--config=/var/lib/loom-lab/nodes/node1/kubelet.yaml',
      '--kubeconfig=/var/lib/loom-lab/nodes/node1/kubelet.kubeconfig',
      '--hostname-override=node1',
      '--node-ip=192.168.1.11',
      '--root-dir=/var/lib/kubelet',
      '--cert-dir=/var/lib/kubelet/pki',
    ]);
  });
});
