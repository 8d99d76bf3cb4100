import type { OciProcessConfig } from './oci-manifest.ts';

/**
 * The part of an image that shapes its containers' process, whichever kind of image it is
 * (a map definition or an archive's config): entrypoint and cmd, env, working dir, user, stop
 * signal. containerd applies the same fields of the OCI image config.
 */
export interface ImageProcess {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  /** '' or absolute; '' means `/`. */
  workingDir: string;
  stopSignal?: string;
  /** `uid`, `name`, `uid:gid`, `name:group`; '' or absent: root. */
  user?: string;
}

export function imageProcessOf(config: OciProcessConfig): ImageProcess {
  const process: ImageProcess = {
    entrypoint: config.entrypoint,
    cmd: config.cmd,
    env: config.env,
    workingDir: config.workingDir,
    user: config.user,
  };
  if (config.stopSignal !== '') process.stopSignal = config.stopSignal;
  return process;
}
