import { inject } from 'vitest';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { type LabHandle, labDriver, startE2eLab } from './drivers/lab.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The lab the global setup brought up for the whole e2e run, when there is one. */
    loomE2eLab?: LabHandle;
  }
}

/**
 * The cluster for a spec file (call in beforeAll, release in afterAll). With the e2e global
 * setup there is one lab for the whole run and this attaches to it; without it (a single file
 * run through the lab project) the file brings up a lab of its own and takes it down again.
 * `LOOM_E2E_DRIVER` picks the driver; only `lab` exists so far.
 */
export async function useCluster(): Promise<ClusterDriver> {
  const driver = process.env.LOOM_E2E_DRIVER ?? 'lab';
  if (driver !== 'lab') throw new Error(`unknown LOOM_E2E_DRIVER "${driver}" (known: lab)`);
  const shared = inject('loomE2eLab');
  if (shared) return labDriver(shared, false);
  const { handle } = await startE2eLab();
  return labDriver(handle, true);
}
