import { configDefaults, defineConfig } from 'vitest/config';

// Four tiers, one runner. `unit` is pure and runs anywhere in seconds; `kernel` needs root and
// creates throwaway network namespaces; `lab` files bring up labs of their own; `e2e` runs on
// one shared lab. The tiers run one after another (groupOrder), so timing-sensitive kernel
// and lab tests never compete with each other for the machine's two cores.
const source = { conditions: ['loom-source'] };

export default defineConfig({
  resolve: source,
  ssr: { resolve: { conditions: ['loom-source'], externalConditions: ['loom-source'] } },
  test: {
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          // e2e/kind/test: the kind driver's unit tests (kind cannot run here; no cluster needed).
          include: ['packages/*/test/**/*.test.ts', 'e2e/kind/test/**/*.test.ts'],
          exclude: ['**/*.kernel.test.ts', '**/*.lab.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'kernel',
          sequence: { groupOrder: 1 },
          include: ['packages/*/test/**/*.kernel.test.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          sequence: { groupOrder: 2 },
          include: ['packages/*/test/**/*.lab.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 1_800_000,
        },
      },
      {
        extends: true,
        test: {
          // One lab for every spec: global-setup runs the real `loom lab up`, then `down`.
          name: 'e2e',
          sequence: { groupOrder: 3 },
          include: ['e2e/**/*.test.ts'],
          exclude: [
            ...configDefaults.exclude,
            'e2e/kind/test/**',
            // A kind cluster cannot grow nodes (docs/kind.md). Here, not `--exclude`: vitest
            // applies a CLI exclude to the root config only, never to a project's.
            // biome-ignore lint/suspicious/noUndeclaredEnvVars: vitest runs outside turbo's cache.
            ...(process.env.LOOM_E2E_DRIVER === 'kind' ? ['e2e/added-nodes.test.ts'] : []),
          ],
          globalSetup: ['e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 1_800_000,
        },
      },
    ],
  },
});
