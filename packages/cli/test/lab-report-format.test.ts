import type { LabStatus } from '@loom-net/lab';
import { resolveLabConfig } from '@loom-net/lab';
import { describe, expect, it } from 'vitest';
import { formatDownReport, formatStatus } from '../src/lab-report-format.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab' }, {});

describe('lab report formatting', () => {
  it('shows a dead component with the tail of its log', () => {
    const status: LabStatus = {
      config,
      exists: true,
      healthy: false,
      namespaces: [
        { name: 'loom-switch', exists: true },
        { name: 'loom-cp', exists: true },
      ],
      components: [
        {
          name: 'etcd',
          namespace: 'control-plane',
          running: true,
          pid: 41,
          health: { ok: true, detail: '200 {"health":"true"}' },
          logFile: '/var/lib/loom-lab/logs/etcd.log',
        },
        {
          name: 'kube-scheduler',
          namespace: 'control-plane',
          running: false,
          logFile: '/var/lib/loom-lab/logs/kube-scheduler.log',
          logTail: 'I1126 started\nE1126 boom',
        },
      ],
      hostApiServer: 'https://127.0.0.1:36443',
    };
    expect(formatStatus(status)).toBe(
      [
        'lab: degraded (state dir /var/lib/loom-lab)',
        'API from this namespace: https://127.0.0.1:36443',
        'netns loom-switch: present',
        'netns loom-cp: present',
        'COMPONENT                STATE     PID      HEALTH',
        'etcd                     running   41       ok',
        'kube-scheduler           stopped   -        -',
        '  last lines of /var/lib/loom-lab/logs/kube-scheduler.log:',
        '  | I1126 started',
        '  | E1126 boom',
      ].join('\n'),
    );
  });

  it('says a second down had nothing to do', () => {
    expect(
      formatDownReport({ config, found: false, stopped: [], namespacesRemoved: [], durationMs: 3 }),
    ).toBe('no lab in /var/lib/loom-lab: nothing to do');
  });
});
