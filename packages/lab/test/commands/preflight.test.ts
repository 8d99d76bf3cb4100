import { describe, expect, it } from 'vitest';
import { findOnPath, requireTools } from '../../src/commands/preflight.ts';
import { isLabError } from '../../src/errors.ts';

describe('preflight', () => {
  it('finds a tool on PATH', () => {
    expect(findOnPath('sh', '/nonexistent:/bin')).toBe('/bin/sh');
    expect(findOnPath('sh', '/nonexistent')).toBeUndefined();
  });

  it('names every missing tool and the package to install', () => {
    let caught: unknown;
    try {
      requireTools(
        'bring the lab up',
        { 'loom-no-ip': 'iproute2', 'loom-no-nsenter': 'util-linux', sh: 'dash' },
        '/bin:/nonexistent',
      );
    } catch (error) {
      caught = error;
    }
    expect(isLabError(caught, 'LOOM_LAB_MISSING_TOOL')).toBe(true);
    expect((caught as Error).message).toBe(
      'cannot bring the lab up: loom-no-ip, loom-no-nsenter not found on PATH (Debian: apt-get install iproute2 util-linux)',
    );
  });
});
