import { readFileSync } from 'node:fs';
import { readPidFile } from '../process/detached-process.ts';

export interface BridgeReady {
  pid: number;
  /** `tcp:127.0.0.1:36443`, `unix:/var/lib/loom-lab/run/apiserver.sock`, … */
  listening: string[];
  /** The first TCP port listened on (the root-side bridge's API port). */
  port: number;
}

/**
 * What a running bridge wrote once it listened. A file left behind by an earlier bridge
 * (killed before it could remove it) names another PID and is ignored.
 */
export function readBridgeReady(readyFile: string, pidFile: string): BridgeReady | undefined {
  let parsed: { pid?: unknown; listening?: unknown };
  try {
    parsed = JSON.parse(readFileSync(readyFile, 'utf8'));
  } catch {
    return undefined;
  }
  const pid = readPidFile(pidFile);
  if (pid === undefined || parsed.pid !== pid || !Array.isArray(parsed.listening)) return undefined;
  const listening = parsed.listening.map(String);
  const tcp = listening.map((address) => /^tcp:.*:(\d+)$/.exec(address)).find(Boolean);
  return { pid, listening, port: tcp ? Number(tcp[1]) : 0 };
}
