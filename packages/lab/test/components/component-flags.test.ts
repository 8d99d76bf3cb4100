import { describe, expect, it } from 'vitest';
import {
  apiServerFlags,
  controllerManagerFlags,
  etcdFlags,
  schedulerFlags,
} from '../../src/components/component-flags.ts';
import { resolveLabConfig } from '../../src/config/lab-config.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-' }, {});

describe('control-plane flags', () => {
  it.each([
    ['--advertise-address=192.168.1.10'],
    ['--bind-address=192.168.1.10'],
    ['--secure-port=6443'],
    ['--etcd-servers=http://127.0.0.1:2379'],
    ['--service-cluster-ip-range=10.96.0.0/12'],
    ['--kubelet-preferred-address-types=InternalIP'],
    ['--client-ca-file=/var/lib/loom-lab/pki/ca.crt'],
    ['--tls-cert-file=/var/lib/loom-lab/pki/apiserver.crt'],
    ['--service-account-signing-key-file=/var/lib/loom-lab/pki/sa.key'],
    ['--service-account-key-file=/var/lib/loom-lab/pki/sa.pub'],
    ['--authorization-mode=Node,RBAC'],
    ['--enable-admission-plugins=NodeRestriction'],
    ['--kubelet-certificate-authority=/var/lib/loom-lab/pki/ca.crt'],
    ['--requestheader-client-ca-file=/var/lib/loom-lab/pki/front-proxy-ca.crt'],
    ['--requestheader-allowed-names=front-proxy-client'],
    ['--proxy-client-cert-file=/var/lib/loom-lab/pki/front-proxy-client.crt'],
  ])('kube-apiserver gets %s', (flag) => {
    expect(apiServerFlags(config)).toContain(flag);
  });

  it.each([
    ['--allocate-node-cidrs=true'],
    ['--cluster-cidr=10.244.0.0/16'],
    ['--node-cidr-mask-size=24'],
    ['--service-cluster-ip-range=10.96.0.0/12'],
    ['--kubeconfig=/var/lib/loom-lab/controller-manager.kubeconfig'],
    ['--service-account-private-key-file=/var/lib/loom-lab/pki/sa.key'],
    ['--root-ca-file=/var/lib/loom-lab/pki/ca.crt'],
    ['--use-service-account-credentials=true'],
    ['--controllers=*,bootstrapsigner,tokencleaner'],
    ['--cluster-name=loom-lab'],
    ['--node-monitor-grace-period=20s'],
  ])('kube-controller-manager gets %s', (flag) => {
    expect(controllerManagerFlags(config)).toContain(flag);
  });

  it.each([
    { podCidrs: 'lab', allocate: 'true' },
    { podCidrs: 'controller-manager', allocate: 'true' },
    { podCidrs: 'loom', allocate: 'false' },
  ] as const)(
    'kube-controller-manager allocates node CIDRs: $allocate with podCIDRs from $podCidrs',
    ({ podCidrs, allocate }) => {
      expect(controllerManagerFlags(config, podCidrs)).toContain(
        `--allocate-node-cidrs=${allocate}`,
      );
    },
  );

  it('keeps etcd on the loopback with its data in the state dir', () => {
    expect(etcdFlags(config)).toEqual(
      expect.arrayContaining([
        '--data-dir=/var/lib/loom-lab/etcd',
        '--listen-client-urls=http://127.0.0.1:2379',
        '--listen-peer-urls=http://127.0.0.1:2380',
      ]),
    );
  });

  it('points the scheduler at its own kubeconfig, without leader election', () => {
    expect(schedulerFlags(config)).toEqual(
      expect.arrayContaining([
        '--kubeconfig=/var/lib/loom-lab/scheduler.kubeconfig',
        '--leader-elect=false',
      ]),
    );
  });

  it('puts the state dir on every command line (how the lab recognises its PIDs)', () => {
    for (const flags of [etcdFlags, apiServerFlags, controllerManagerFlags, schedulerFlags]) {
      expect(flags(config).join(' ')).toContain('/var/lib/loom-lab/');
    }
  });
});
