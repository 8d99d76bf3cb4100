import type { LabConfig } from '../config/lab-config.ts';

/**
 * Every lab process has the state dir on its command line; that is how its PID is verified
 * (isOurProcess), for the control plane's components and the nodes' processes alike.
 */
export function processMarker(config: Pick<LabConfig, 'stateDir'>): string {
  return `${config.stateDir}/`;
}
