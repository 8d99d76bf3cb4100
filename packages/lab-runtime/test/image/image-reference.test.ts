import { describe, expect, it } from 'vitest';
import { formatImageReference, parseImageReference } from '../../src/image/image-reference.ts';

describe('parseImageReference (containerd normalization)', () => {
  it.each([
    { input: 'busybox', expected: 'docker.io/library/busybox:latest' },
    { input: 'busybox:1.36', expected: 'docker.io/library/busybox:1.36' },
    { input: 'library/busybox', expected: 'docker.io/library/busybox:latest' },
    { input: 'someone/tool:v2', expected: 'docker.io/someone/tool:v2' },
    {
      input: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
      expected: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
    },
    { input: 'localhost:5000/app', expected: 'localhost:5000/app:latest' },
    {
      input: `busybox@sha256:${'a'.repeat(64)}`,
      expected: `docker.io/library/busybox@sha256:${'a'.repeat(64)}`,
    },
  ])('$input → $expected', ({ input, expected }) => {
    expect(formatImageReference(parseImageReference(input))).toBe(expected);
  });

  it.each([
    { input: '', why: /empty/ },
    { input: 'Busybox', why: /path component "Busybox"/ },
    { input: 'busybox:bad tag', why: /malformed tag/ },
    { input: 'busybox@sha256', why: /malformed digest/ },
  ])('rejects "$input"', ({ input, why }) => {
    expect(() => parseImageReference(input)).toThrow(why);
  });
});
