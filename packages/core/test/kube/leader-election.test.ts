import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createKubeClient,
  createLeaderElector,
  type KubeClient,
  type LeaderElector,
  type Lease,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
const timing = { leaseDurationSeconds: 1, renewDeadlineMs: 600, retryPeriodMs: 150 };

interface Candidate {
  elector: LeaderElector;
  client: KubeClient;
  /** Leadership intervals, as [start, end) in performance.now() ms. */
  terms: Array<{ start: number; end?: number }>;
}

describe('lease leader election', () => {
  const candidates: Candidate[] = [];
  let leaseName = '';
  let seq = 0;
  afterEach(async () => {
    for (const { elector, client } of candidates.splice(0)) {
      await elector.stop();
      client.close();
    }
  });

  function candidate(identity: string, options: { releaseOnStop?: boolean } = {}): Candidate {
    const client = createKubeClient(fake.kubeConfig({ token: identity }));
    const terms: Candidate['terms'] = [];
    const elector = createLeaderElector({
      ...timing,
      ...options,
      client,
      namespace: 'kube-system',
      name: leaseName,
      identity,
      onStartedLeading: (signal) => {
        const term: Candidate['terms'][number] = { start: performance.now() };
        terms.push(term);
        return new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            term.end = performance.now();
            resolve();
          }),
        );
      },
    });
    const c = { elector, client, terms };
    candidates.push(c);
    return c;
  }

  const lease = (): Lease => fake.get(LEASES, leaseName) as Lease;
  const newLease = () => {
    seq += 1;
    leaseName = `loom-test-${seq}`;
  };

  function expectNoOverlap(a: Candidate, b: Candidate): void {
    for (const x of a.terms) {
      for (const y of b.terms) {
        const overlap = x.start < (y.end ?? Infinity) && y.start < (x.end ?? Infinity);
        expect(overlap, 'two leaders at once').toBe(false);
      }
    }
  }

  it('elects exactly one of two candidates and records it in the Lease', async () => {
    newLease();
    const a = candidate('candidate-a');
    const b = candidate('candidate-b');
    a.elector.start();
    b.elector.start();
    await expect.poll(() => a.elector.isLeader() || b.elector.isLeader()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect([a, b].filter((c) => c.elector.isLeader())).toHaveLength(1);
    const leader = a.elector.isLeader() ? 'candidate-a' : 'candidate-b';
    const spec = lease().spec;
    expect(spec?.holderIdentity).toBe(leader);
    expect(spec?.leaseDurationSeconds).toBe(1);
    expect(spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(a.elector.leader).toBe(leader);
    expect(b.elector.leader).toBe(leader);
    expectNoOverlap(a, b);
  });

  it('hands over after the leader stops renewing, never with two leaders', async () => {
    newLease();
    const a = candidate('candidate-a');
    a.elector.start();
    await expect.poll(() => a.elector.isLeader()).toBe(true);
    const b = candidate('candidate-b');
    b.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(b.elector.isLeader()).toBe(false);
    // Cut `a` off from the API server: it can no longer renew.
    const cut = fake.intercept((req) => (req.token === 'candidate-a' ? 'drop' : undefined));
    try {
      await expect.poll(() => b.elector.isLeader(), { timeout: 4000 }).toBe(true);
      expect(a.elector.isLeader()).toBe(false);
      expect(a.terms[0]?.end).toBeDefined();
      expectNoOverlap(a, b);
      expect(lease().spec?.holderIdentity).toBe('candidate-b');
      expect(lease().spec?.leaseTransitions).toBe(1);
    } finally {
      cut();
    }
  });

  it('releases the lease on stop so a successor takes over before expiry', async () => {
    newLease();
    const a = candidate('candidate-a');
    a.elector.start();
    await expect.poll(() => a.elector.isLeader()).toBe(true);
    const b = candidate('candidate-b');
    b.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await a.elector.stop();
    expect(a.terms[0]?.end).toBeDefined();
    const stoppedAt = performance.now();
    await expect.poll(() => b.elector.isLeader()).toBe(true);
    // Without the release `b` would wait a full lease duration (1 s) after its last observation.
    expect(performance.now() - stoppedAt).toBeLessThan(700);
    expectNoOverlap(a, b);
  });

  it('lets only one of two followers win the race for a released lease', async () => {
    newLease();
    const a = candidate('candidate-a');
    a.elector.start();
    await expect.poll(() => a.elector.isLeader()).toBe(true);
    const b = candidate('candidate-b');
    const c = candidate('candidate-c');
    b.elector.start();
    c.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await a.elector.stop();
    await expect.poll(() => b.elector.isLeader() || c.elector.isLeader()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([b, c].filter((x) => x.elector.isLeader())).toHaveLength(1);
    expectNoOverlap(b, c);
    const winner = b.elector.isLeader() ? 'candidate-b' : 'candidate-c';
    expect(lease().spec?.holderIdentity).toBe(winner);
  });

  it('a leader stopped without release is only replaced after the lease expires', async () => {
    newLease();
    const a = candidate('candidate-a', { releaseOnStop: false });
    a.elector.start();
    await expect.poll(() => a.elector.isLeader()).toBe(true);
    const b = candidate('candidate-b');
    b.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await a.elector.stop();
    expect(lease().spec?.holderIdentity).toBe('candidate-a');
    const stoppedAt = performance.now();
    await expect.poll(() => b.elector.isLeader(), { timeout: 3000 }).toBe(true);
    expect(performance.now() - stoppedAt).toBeGreaterThan(500);
  });

  it.each([
    { options: { leaseDurationSeconds: 0 }, error: /positive integer/ },
    {
      options: { leaseDurationSeconds: 1, renewDeadlineMs: 1000 },
      error: /greater than renewDeadlineMs/,
    },
    { options: { renewDeadlineMs: 1000, retryPeriodMs: 900 }, error: /retryPeriodMs/ },
  ])('rejects inconsistent timings $options', ({ options, error }) => {
    const client = createKubeClient(fake.kubeConfig());
    const create = () =>
      createLeaderElector({
        client,
        namespace: 'x',
        name: 'y',
        identity: 'z',
        onStartedLeading: () => {},
        ...options,
      });
    expect(create).toThrow(error);
  });
});
