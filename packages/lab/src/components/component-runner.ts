import type { LabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import type { ProbeResult } from '../health/http-probe.ts';
import {
  isOurProcess,
  launchDetached,
  readPidFile,
  removePidFile,
  type StopResult,
  stopProcess,
} from '../process/detached-process.ts';
import { logTail } from '../process/log-tail.ts';
import { processMarker } from '../process/process-marker.ts';
import {
  type ComponentDefinition,
  type ComponentName,
  componentFiles,
  type LabContext,
} from './component-table.ts';

export interface ComponentStatus {
  name: ComponentName;
  namespace: 'control-plane' | 'root';
  running: boolean;
  pid?: number;
  /** Present when probed: the component's health endpoint answered 2xx. */
  health?: ProbeResult;
  logFile: string;
  /** The latest run's last lines, when it is not running. */
  logTail?: string;
}

export function runningPid(config: LabConfig, name: ComponentName): number | undefined {
  const pid = readPidFile(componentFiles(config, name).pidFile);
  return pid !== undefined && isOurProcess(pid, processMarker(config)) ? pid : undefined;
}

export async function componentStatus(
  config: LabConfig,
  component: ComponentDefinition,
  options: { probe: boolean },
): Promise<ComponentStatus> {
  const { logFile } = componentFiles(config, component.name);
  const pid = runningPid(config, component.name);
  const base = { name: component.name, namespace: component.namespace, logFile };
  if (pid === undefined) return { ...base, running: false, logTail: logTail(logFile) };
  if (!options.probe) return { ...base, running: true, pid };
  return { ...base, running: true, pid, health: await component.probe(config) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a component and waits until its probe passes. A process that exits meanwhile is a
 * crash; one that never gets healthy is stopped again. Both errors carry its log tail.
 */
export async function startComponent(
  context: LabContext,
  component: ComponentDefinition,
): Promise<{ pid: number; durationMs: number }> {
  const { config } = context;
  const files = componentFiles(config, component.name);
  const { file, args } = component.command(context);
  const started = Date.now();
  const pid = launchDetached({
    file,
    args,
    logFile: files.logFile,
    pidFile: files.pidFile,
    ...(component.namespace === 'control-plane' ? { netns: config.netns.controlPlane } : {}),
  });
  const where = `pid ${pid}, log ${files.logFile}`;
  for (;;) {
    await sleep(100);
    if (!isOurProcess(pid, processMarker(config))) {
      throw new LabError(
        'LOOM_LAB_COMPONENT_CRASHED',
        `${component.name} exited right after it started (${where}):\n${logTail(files.logFile) || '(no output)'}`,
      );
    }
    const health = await component.probe(config);
    if (health.ok) return { pid, durationMs: Date.now() - started };
    if (Date.now() - started > component.readyTimeoutMs) {
      await stopProcess(pid, processMarker(config));
      throw new LabError(
        'LOOM_LAB_COMPONENT_NOT_READY',
        `${component.name} did not become healthy within ${component.readyTimeoutMs / 1000}s (${where}; last probe: ${health.detail}):\n${logTail(files.logFile)}`,
      );
    }
  }
}

/** Waits for an already-running component's probe; false when it stays unhealthy. */
export async function waitHealthy(
  config: LabConfig,
  component: ComponentDefinition,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await component.probe(config)).ok) return true;
    if (Date.now() > deadline || runningPid(config, component.name) === undefined) return false;
    await sleep(100);
  }
}

export async function stopComponent(
  config: LabConfig,
  component: ComponentDefinition,
): Promise<StopResult & { pid?: number }> {
  const files = componentFiles(config, component.name);
  const pid = readPidFile(files.pidFile);
  if (pid === undefined) return { outcome: 'not-running', durationMs: 0 };
  try {
    const result = await stopProcess(pid, processMarker(config));
    removePidFile(files.pidFile);
    return { ...result, pid };
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_STOP_FAILED',
      `cannot stop ${component.name} (pid ${pid}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
