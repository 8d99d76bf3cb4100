import { abortableDelay } from './abortable-delay.ts';
import type { KubeClient } from './kube-client.ts';
import { isKubeApiError } from './kube-errors.ts';
import { type KubeLogger, silentKubeLogger } from './kube-logger.ts';
import type { KubeObject } from './kube-object.ts';
import { resourcePath } from './resource-path.ts';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  client: KubeClient;
  /** Where the `coordination.k8s.io/v1` Lease lives. */
  namespace: string;
  name: string;
  /** This candidate, unique among candidates (pod name, hostname). */
  identity: string;
  /** How long a lease holds without renewal before others may take it (default 15). */
  leaseDurationSeconds?: number;
  /** A leader that cannot renew for this long steps down (default 10 000 ms). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (default 2000 ms). */
  retryPeriodMs?: number;
  /** Clear holderIdentity when stopped while leading, so a successor need not wait for expiry
   * (default true). */
  releaseOnStop?: boolean;
  /** Runs while leading; `signal` aborts when leadership ends. The returned promise must settle
   * after that, and is awaited before the lease is released or re-campaigned for. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called whenever the observed holder changes (including to this candidate). */
  onNewLeader?(identity: string): void;
  logger?: KubeLogger;
}

export interface LeaderElector {
  start(): void;
  /** Stops leading (awaiting `onStartedLeading`'s work), releases the lease, stops campaigning. */
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The holder last observed, if any. */
  readonly leader: string | undefined;
}

type Attempt = 'acquired' | 'held-by-other' | 'failed';

/** client-go's JitterFactor for the acquire loop, so candidates do not retry in lockstep. */
const JITTER = 1.2;

/** `metav1.MicroTime` wants exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

function validate(
  o: Required<
    Pick<LeaderElectionOptions, 'leaseDurationSeconds' | 'renewDeadlineMs' | 'retryPeriodMs'>
  >,
) {
  if (!Number.isInteger(o.leaseDurationSeconds) || o.leaseDurationSeconds < 1) {
    throw new Error(
      `leaseDurationSeconds must be a positive integer, got ${o.leaseDurationSeconds}`,
    );
  }
  if (o.leaseDurationSeconds * 1000 <= o.renewDeadlineMs) {
    throw new Error('leaseDurationSeconds must be greater than renewDeadlineMs');
  }
  if (o.renewDeadlineMs <= o.retryPeriodMs * JITTER) {
    throw new Error(`renewDeadlineMs must be greater than retryPeriodMs × ${JITTER}`);
  }
}

/**
 * Lease-based leader election with client-go's semantics: optimistic concurrency on the
 * Lease's resourceVersion, expiry judged on this candidate's own clock from when it last saw
 * the lease change (never by comparing its clock with the holder's renewTime), renew until a
 * deadline, release on stop. Unlike client-go's `Run`, a candidate that loses leadership
 * campaigns again once its work has stopped.
 */
export function createLeaderElector(options: LeaderElectionOptions): LeaderElector {
  const timing = {
    leaseDurationSeconds: options.leaseDurationSeconds ?? 15,
    renewDeadlineMs: options.renewDeadlineMs ?? 10_000,
    retryPeriodMs: options.retryPeriodMs ?? 2_000,
  };
  validate(timing);
  const { client, identity } = options;
  const log = options.logger ?? silentKubeLogger;
  const collection = resourcePath({
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    namespace: options.namespace,
  });
  const leasePath = `${collection}/${encodeURIComponent(options.name)}`;
  const lifetime = new AbortController();
  let observed: Lease | undefined;
  let observedRecord = '';
  let observedAt = 0;
  let leading = false;
  let running: Promise<void> | undefined;

  function observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (record === observedRecord) return;
    const previous = observed?.spec?.holderIdentity;
    observed = lease;
    observedRecord = record;
    observedAt = performance.now();
    const holder = lease.spec?.holderIdentity;
    if (holder && holder !== previous) options.onNewLeader?.(holder);
  }

  function heldByOther(lease: Lease): boolean {
    const holder = lease.spec?.holderIdentity;
    if (!holder || holder === identity) return false;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? timing.leaseDurationSeconds) * 1000;
    return performance.now() < observedAt + durationMs;
  }

  function nextSpec(current: LeaseSpec | undefined, now: string): LeaseSpec {
    const renewing = current?.holderIdentity === identity;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: timing.leaseDurationSeconds,
      acquireTime: renewing ? (current?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: (current?.leaseTransitions ?? 0) + (renewing ? 0 : 1),
    };
  }

  async function tryAcquireOrRenew(timeoutMs: number): Promise<Attempt> {
    const signal = lifetime.signal;
    const now = microTime(new Date());
    try {
      let lease: Lease;
      try {
        lease = await client.request<Lease>({ path: leasePath, signal, timeoutMs });
      } catch (err) {
        if (!isKubeApiError(err, 404)) throw err;
        const spec = { ...nextSpec(undefined, now), leaseTransitions: 0 };
        const body = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: options.name },
          spec,
        };
        observe(
          await client.request<Lease>({
            method: 'POST',
            path: collection,
            body,
            signal,
            timeoutMs,
          }),
        );
        return 'acquired';
      }
      observe(lease);
      if (heldByOther(lease)) return 'held-by-other';
      const body = { ...lease, spec: nextSpec(lease.spec, now) };
      observe(
        await client.request<Lease>({ method: 'PUT', path: leasePath, body, signal, timeoutMs }),
      );
      return 'acquired';
    } catch (err) {
      // 409: another candidate wrote first; the next attempt reads its record.
      const level = isKubeApiError(err, 409) || signal.aborted ? 'debug' : 'warn';
      log[level]({ lease: leasePath, identity, err }, 'cannot acquire or renew lease');
      return 'failed';
    }
  }

  async function acquire(): Promise<boolean> {
    const signal = lifetime.signal;
    while (!signal.aborted) {
      if ((await tryAcquireOrRenew(timing.renewDeadlineMs)) === 'acquired') return true;
      await abortableDelay(timing.retryPeriodMs * (1 + (JITTER - 1) * Math.random()), signal);
    }
    return false;
  }

  /** Renews until the deadline passes without a renewal, someone else holds it, or stop. */
  async function renewUntilLost(): Promise<void> {
    const signal = lifetime.signal;
    let lastRenew = performance.now();
    while (!signal.aborted) {
      await abortableDelay(timing.retryPeriodMs, signal);
      if (signal.aborted) return;
      const remaining = timing.renewDeadlineMs - (performance.now() - lastRenew);
      const attempt = remaining > 0 ? await tryAcquireOrRenew(remaining) : 'failed';
      if (attempt === 'acquired') lastRenew = performance.now();
      else if (
        attempt === 'held-by-other' ||
        performance.now() - lastRenew >= timing.renewDeadlineMs
      ) {
        log.warn({ lease: leasePath, identity, attempt }, 'lost leadership');
        return;
      }
    }
  }

  async function lead(): Promise<void> {
    leading = true;
    log.info({ lease: leasePath, identity }, 'started leading');
    const leadership = new AbortController();
    const work = Promise.resolve()
      .then(() => options.onStartedLeading(leadership.signal))
      .catch((err: unknown) => log.error({ lease: leasePath, err }, 'leader work failed'));
    await renewUntilLost();
    leading = false;
    leadership.abort();
    await work;
    if (lifetime.signal.aborted && options.releaseOnStop !== false) await release();
    log.info({ lease: leasePath, identity }, 'stopped leading');
    options.onStoppedLeading?.();
  }

  async function release(): Promise<void> {
    if (!observed || observed.spec?.holderIdentity !== identity) return;
    const now = microTime(new Date());
    const spec = {
      ...observed.spec,
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
    };
    try {
      const body = { ...observed, spec };
      observe(
        await client.request<Lease>({
          method: 'PUT',
          path: leasePath,
          body,
          timeoutMs: timing.renewDeadlineMs,
        }),
      );
    } catch (err) {
      log.warn({ lease: leasePath, identity, err }, 'cannot release lease');
    }
  }

  async function run(): Promise<void> {
    while (await acquire()) await lead();
  }

  return {
    start() {
      if (!running && !lifetime.signal.aborted) running = run();
    },
    async stop() {
      lifetime.abort();
      await running;
    },
    isLeader: () => leading,
    get leader() {
      return observed?.spec?.holderIdentity || undefined;
    },
  };
}
