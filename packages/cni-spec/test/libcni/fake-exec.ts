import type { PluginCall } from '../../src/invoke/exec-plugin.ts';
import type { PluginExec } from '../../src/libcni/runtime-conf.ts';

/** One call a fake plugin got: its type, verb, CNI_ variables and configuration. */
export interface RecordedCall {
  type: string;
  command: string;
  containerId: string;
  ifName: string;
  config: Record<string, unknown>;
}

/**
 * Plugins that exist only as answers: `answer(type, call)` returns stdout or throws. Every call
 * is recorded; `missing` types are not found.
 */
export function fakeExec(
  answer: (type: string, call: PluginCall, config: Record<string, unknown>) => string = () => '',
  missing: readonly string[] = [],
): PluginExec & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    find: (type) => (missing.includes(type) ? undefined : `/fake/${type}`),
    run: async (path, call) => {
      const type = path.slice('/fake/'.length);
      const config = JSON.parse(call.stdin) as Record<string, unknown>;
      calls.push({
        type,
        command: call.command,
        containerId: call.env.CNI_CONTAINERID ?? '',
        ifName: call.env.CNI_IFNAME ?? '',
        config,
      });
      return answer(type, call, config);
    },
  };
}
