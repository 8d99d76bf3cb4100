// The time stamped on the image (config `created`, every Loom file's mtime): SOURCE_DATE_EPOCH
// when set (reproducible-builds.org's convention), else the time of the commit being built, so
// two builds of one commit give the same digest.
import { spawnSync } from 'node:child_process';

export function sourceDateEpoch(repoRoot: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined) {
    const seconds = Number(fromEnv);
    if (!Number.isSafeInteger(seconds) || seconds < 0)
      throw new Error(
        `SOURCE_DATE_EPOCH must be whole seconds since the epoch, not ${JSON.stringify(fromEnv)}`,
      );
    return seconds;
  }
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot, encoding: 'utf8' });
  const seconds = Number(git.stdout.trim());
  if (git.status !== 0 || !Number.isSafeInteger(seconds) || seconds <= 0)
    throw new Error(
      `cannot date the image: set SOURCE_DATE_EPOCH, or build inside the git repository (${git.stderr.trim() || git.error?.message})`,
    );
  return seconds;
}
