import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessIdentity } from '../store/records.ts';

// USER_HZ is 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)).
const NS_PER_TICK = 10_000_000n;

interface ProcStat {
  state: string;
  pgrp: number;
  utime: bigint;
  stime: bigint;
  startTicks: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; fields restart after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    state: fields[0] ?? '',
    pgrp: Number(fields[2] ?? 0),
    utime: BigInt(fields[11] ?? '0'),
    stime: BigInt(fields[12] ?? '0'),
    startTicks: fields[19] ?? '',
  };
}

/** The identity of a live process, or undefined when there is none (or only a zombie). */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return undefined;
  return { pid, startTicks: stat.startTicks };
}

/** Whether `identity` is still the same live process (not a PID reused by another one). */
export function isAlive(identity: ProcessIdentity | null): identity is ProcessIdentity {
  if (identity === null) return false;
  return processIdentity(identity.pid)?.startTicks === identity.startTicks;
}

/** Signals the process only if it is still the one we started; false when it is gone. */
export function signalProcess(identity: ProcessIdentity | null, signal: NodeJS.Signals): boolean {
  if (!isAlive(identity)) return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

export interface ProcessUsage {
  cpuNs: bigint;
  rssBytes: bigint;
}

/** CPU time (user + system) and resident memory of one process. */
export function processUsage(pid: number): ProcessUsage | undefined {
  const stat = readStat(pid);
  if (stat === undefined) return undefined;
  let rssKb = 0n;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) rssKb = BigInt(match[1]!);
  } catch {}
  return { cpuNs: (stat.utime + stat.stime) * NS_PER_TICK, rssBytes: rssKb * 1024n };
}

/** The live members of a process group, from /proc. */
export function processGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const stat = readStat(pid);
      return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
    });
}
