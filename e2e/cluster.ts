import { inject } from 'vitest';
import { type ClusterDriver, selectedDriverName } from './drivers/cluster-driver.ts';
import { kindDriver } from './drivers/kind.ts';
import { type LabHandle, labDriver, startE2eLab } from './drivers/lab.ts';
import { type KindCluster, startE2eKindCluster } from './kind/kind-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The lab the global setup brought up for the whole e2e run, when there is one. */
    loomE2eLab?: LabHandle;
    /** The kind cluster the global setup brought up (LOOM_E2E_DRIVER=kind). */
    loomE2eKind?: KindCluster;
  }
}

/**
 * The cluster for a spec file (call in beforeAll, release in afterAll). With the e2e global
 * setup there is one lab for the whole run and this attaches to it; without it (a single file
 * run through the lab project) the file brings up a lab of its own and takes it down again.
 * `LOOM_E2E_DRIVER` picks the driver: `lab` (default) or `kind` (the same, with a kind cluster).
 */
export async function useCluster(): Promise<ClusterDriver> {
  if (selectedDriverName() === 'kind') {
    const kind = inject('loomE2eKind');
    return kind ? kindDriver(kind, false) : kindDriver(await startE2eKindCluster(), true);
  }
  const shared = inject('loomE2eLab');
  if (shared) return labDriver(shared, false);
  const { handle } = await startE2eLab();
  return labDriver(handle, true);
}
