import { ipLinks } from '@loom-net/core';
import { processUsage } from '../container/proc-stat.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { lookupId, matchesLabels, requireId } from '../store/id-lookup.ts';
import type { ContainerRecord, SandboxRecord } from '../store/records.ts';
import { nowNsString } from './clock.ts';
import type { StatsFilter } from './cri-types.ts';

// Without cgroups the numbers are those of each container's first process: minimal, but valid
// (the kubelet reads its summary stats from cAdvisor unless PodAndContainerStatsFromCRI is on).

function uint(value: bigint | number) {
  return { value: value.toString() };
}

export function containerStats(ctx: RuntimeContext, record: ContainerRecord) {
  const timestamp = nowNsString();
  const usage =
    record.state === 'running' && record.process ? processUsage(record.process.pid) : undefined;
  return {
    attributes: {
      id: record.id,
      metadata: record.config.metadata,
      labels: record.config.labels,
      annotations: record.config.annotations,
    },
    cpu: { timestamp, usage_core_nano_seconds: uint(usage?.cpuNs ?? 0n) },
    memory: {
      timestamp,
      working_set_bytes: uint(usage?.rssBytes ?? 0n),
      rss_bytes: uint(usage?.rssBytes ?? 0n),
    },
    writable_layer: {
      timestamp,
      fs_id: { mountpoint: ctx.store.containerDir(record.id) },
      used_bytes: uint(0),
      inodes_used: uint(0),
    },
  };
}

export function listContainerStats(ctx: RuntimeContext, filter: Partial<StatsFilter> | null) {
  let records = [...ctx.containers.values()].filter((r) => r.state === 'running');
  if (filter?.id)
    records = records.filter((r) => r.id === lookupId(ctx.containers, filter.id!, 'container')?.id);
  if (filter?.pod_sandbox_id) {
    const sandbox = lookupId(ctx.sandboxes, filter.pod_sandbox_id, 'sandbox');
    records = records.filter((r) => r.sandboxId === sandbox?.id);
  }
  records = records.filter((r) => matchesLabels(r.config.labels, filter?.label_selector));
  return records.map((r) => containerStats(ctx, r));
}

async function networkUsage(ctx: RuntimeContext, sandbox: SandboxRecord, timestamp: string) {
  if (sandbox.netns === null || sandbox.state !== 'ready') return null;
  try {
    const [link] = await ipLinks(ctx.runner, ['-s', 'link', 'show', 'eth0'], sandbox.netns);
    const s = link?.stats64;
    const eth0 = {
      name: 'eth0',
      rx_bytes: uint(s?.rx.bytes ?? 0),
      rx_errors: uint(s?.rx.errors ?? 0),
      tx_bytes: uint(s?.tx.bytes ?? 0),
      tx_errors: uint(s?.tx.errors ?? 0),
    };
    return { timestamp, default_interface: eth0, interfaces: [eth0] };
  } catch {
    return null;
  }
}

export async function podSandboxStats(ctx: RuntimeContext, sandbox: SandboxRecord) {
  const timestamp = nowNsString();
  const containers = [...ctx.containers.values()]
    .filter((c) => c.sandboxId === sandbox.id && c.state === 'running')
    .map((c) => containerStats(ctx, c));
  const sum = (pick: (c: (typeof containers)[number]) => string) =>
    containers.reduce((total, c) => total + BigInt(pick(c)), 0n);
  return {
    attributes: {
      id: sandbox.id,
      metadata: sandbox.config.metadata,
      labels: sandbox.config.labels,
      annotations: sandbox.config.annotations,
    },
    linux: {
      cpu: {
        timestamp,
        usage_core_nano_seconds: uint(sum((c) => c.cpu.usage_core_nano_seconds.value)),
      },
      memory: { timestamp, working_set_bytes: uint(sum((c) => c.memory.working_set_bytes.value)) },
      network: await networkUsage(ctx, sandbox, timestamp),
      process: { timestamp, process_count: uint(containers.length) },
      containers,
    },
  };
}

export async function listPodSandboxStats(
  ctx: RuntimeContext,
  filter: Partial<StatsFilter> | null,
) {
  let sandboxes = [...ctx.sandboxes.values()].filter((s) => s.state === 'ready');
  if (filter?.id)
    sandboxes = sandboxes.filter(
      (s) => s.id === lookupId(ctx.sandboxes, filter.id!, 'sandbox')?.id,
    );
  sandboxes = sandboxes.filter((s) => matchesLabels(s.config.labels, filter?.label_selector));
  return Promise.all(sandboxes.map((s) => podSandboxStats(ctx, s)));
}

export function requireSandboxForStats(ctx: RuntimeContext, id: string): SandboxRecord {
  return requireId(ctx.sandboxes, id, 'sandbox');
}

/**
 * ImageFsInfo: one filesystem, the state dir, using what the images take (the kubelet's
 * summary fails without a filesystem; its image GC reads capacity from the device itself).
 */
export function imageFsInfo(ctx: RuntimeContext) {
  const images = ctx.images.list();
  const used = images.reduce((sum, image) => sum + ctx.images.sizeOf(image), 0);
  const usage = {
    timestamp: nowNsString(),
    fs_id: { mountpoint: ctx.options.stateDir },
    used_bytes: uint(used),
    inodes_used: uint(images.length),
  };
  return { image_filesystems: [usage], container_filesystems: [usage] };
}
