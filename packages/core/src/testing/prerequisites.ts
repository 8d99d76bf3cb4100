/** True in CI: the `CI` variable CI systems set (`true`, or `1`). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * Decides what a missing prerequisite of a test tier does. On a developer's machine the
 * tier skips itself, and the reason goes into its title; under CI it fails the test file
 * at collection, naming what is missing, because vitest exits 0 on skips and a CI run must
 * never pass by skipping a tier.
 *
 *   describe.skipIf(skipOrFailInCi(reason) !== undefined)(…)
 */
export function skipOrFailInCi(
  reason: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (reason !== undefined && isCi(env)) {
    throw new Error(`CI=${env.CI}, and ${reason}: under CI a missing prerequisite fails the run`);
  }
  return reason;
}
