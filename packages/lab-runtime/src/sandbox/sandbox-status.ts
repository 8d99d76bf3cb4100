import { toCriContainerStatus } from '../container/container-status.ts';
import { nowNsString } from '../cri/clock.ts';
import type { PodSandboxFilter, SandboxStateName } from '../cri/cri-types.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { lookupId, matchesLabels, requireId } from '../store/id-lookup.ts';
import type { SandboxRecord } from '../store/records.ts';

function stateName(sandbox: SandboxRecord): SandboxStateName {
  return sandbox.state === 'ready' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
}

/** The CRI `PodSandbox` of ListPodSandbox. */
export function toCriSandbox(sandbox: SandboxRecord) {
  return {
    id: sandbox.id,
    metadata: sandbox.config.metadata,
    state: stateName(sandbox),
    created_at: sandbox.createdAt,
    labels: sandbox.config.labels,
    annotations: sandbox.config.annotations,
    runtime_handler: sandbox.runtimeHandler,
  };
}

/**
 * PodSandboxStatus. The kubelet recreates a sandbox whose network namespace mode is not the
 * one it asked for, or a non-hostNetwork one without an IP, so both come straight from the
 * config and the CNI result.
 */
export function podSandboxStatus(ctx: RuntimeContext, id: string, verbose: boolean) {
  const sandbox = requireId(ctx.sandboxes, id, 'sandbox');
  const options = sandbox.config.linux?.security_context?.namespace_options ?? {
    network: sandbox.hostNetwork ? 'NODE' : 'POD',
    pid: 'CONTAINER',
    ipc: 'POD',
    target_id: '',
  };
  const [ip = '', ...more] = sandbox.state === 'ready' ? sandbox.ips : [];
  const containers = [...ctx.containers.values()].filter((c) => c.sandboxId === sandbox.id);
  const info = verbose
    ? {
        info: JSON.stringify({
          netns: sandbox.netns,
          hostNetwork: sandbox.hostNetwork,
          ips: sandbox.ips,
        }),
      }
    : {};
  return {
    status: {
      ...toCriSandbox(sandbox),
      network: { ip, additional_ips: more.map((extra) => ({ ip: extra })) },
      linux: { namespaces: { options } },
    },
    info,
    containers_statuses: containers.map(toCriContainerStatus),
    timestamp: nowNsString(),
  };
}

export function filterSandboxes(ctx: RuntimeContext, filter: Partial<PodSandboxFilter> | null) {
  let sandboxes = [...ctx.sandboxes.values()].filter((s) => s.state !== 'creating');
  if (filter?.id) {
    const one = lookupId(ctx.sandboxes, filter.id, 'sandbox');
    sandboxes = one === undefined ? [] : [one];
  }
  const state = filter?.state?.state;
  if (state) sandboxes = sandboxes.filter((s) => stateName(s) === state);
  return sandboxes.filter((s) => matchesLabels(s.config.labels, filter?.label_selector));
}
