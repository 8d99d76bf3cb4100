/**
 * `node:child_process`, loaded at the first call rather than when a module is imported. It
 * pulls in `net`, `dgram` and the streams (~3 ms, ~10 ms under the CNI executables' flag; see
 * spawn-sync.ts), which a plugin call that spawns only blocking commands never needs.
 */
export function childProcessModule(): typeof import('node:child_process') {
  return process.getBuiltinModule('node:child_process') as typeof import('node:child_process');
}
