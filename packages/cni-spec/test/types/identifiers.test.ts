import { describe, expect, it } from 'vitest';
import {
  containerIdProblem,
  interfaceNameProblem,
  networkNameProblem,
} from '../../src/types/identifiers.ts';

describe('the names the spec constrains', () => {
  it.each([
    { name: 'abc123', ok: true },
    { name: 'pod_1.a-b', ok: true },
    { name: '-x', ok: false },
    { name: 'a/b', ok: false },
    { name: '', ok: false },
  ])('container ID "$name" valid: $ok', ({ name, ok }) => {
    expect(containerIdProblem(name) === undefined).toBe(ok);
  });

  it('keeps network names short enough to be a directory', () => {
    expect(networkNameProblem('pods')).toBeUndefined();
    expect(networkNameProblem('a'.repeat(201))).toBeDefined();
    expect(networkNameProblem('../x')).toBeDefined();
  });

  it.each([
    { name: 'eth0', problem: undefined },
    { name: 'a234567890123456', problem: 'it is longer than 15 bytes' },
    { name: '..', problem: '".." is reserved' },
    { name: 'eth0:1', problem: "it contains '/', ':' or whitespace" },
  ])('interface name "$name"', ({ name, problem }) => {
    expect(interfaceNameProblem(name)).toBe(problem);
  });
});
