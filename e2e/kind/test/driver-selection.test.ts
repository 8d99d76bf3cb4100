import { describe, expect, it } from 'vitest';
import { selectedDriverName } from '../../drivers/cluster-driver.ts';

describe('LOOM_E2E_DRIVER', () => {
  it('picks the lab unless it says kind', () => {
    expect(selectedDriverName({})).toBe('lab');
    expect(selectedDriverName({ LOOM_E2E_DRIVER: '' })).toBe('lab');
    expect(selectedDriverName({ LOOM_E2E_DRIVER: 'lab' })).toBe('lab');
    expect(selectedDriverName({ LOOM_E2E_DRIVER: 'kind' })).toBe('kind');
  });

  it('rejects a driver that does not exist, listing those that do', () => {
    expect(() => selectedDriverName({ LOOM_E2E_DRIVER: 'minikube' })).toThrow(
      'unknown LOOM_E2E_DRIVER "minikube" (known: lab, kind)',
    );
  });
});
