export { childProcessModule } from './child-process-module.ts';
export type { CommandRunnerOptions } from './command-runner.ts';
export { createCommandRunner } from './command-runner.ts';
export { conntrackFlush } from './conntrack.ts';
export { bridgeBatch, bridgeJson, ipBatch, ipJson } from './ip.ts';
export type { NftJsonEntry } from './json-output.ts';
export type {
  CommandOutput,
  CommandRunner,
  KernelCommand,
  KernelTool,
} from './kernel-command.ts';
export { commandArgv, NETNS_RUN_DIR, netnsPath, renderCommand } from './kernel-command.ts';
export type { KernelErrorReason } from './kernel-command-error.ts';
export {
  classifyStderr,
  isKernelCommandError,
  KernelCommandError,
  summarizeStderr,
} from './kernel-command-error.ts';
export { addNetns, deleteNetns, netnsExists } from './netns.ts';
export { nftApply, nftJson } from './nft.ts';
export type { RecordedResponse, RecordingRunner } from './recording-runner.ts';
export { commandLine, createRecordingRunner } from './recording-runner.ts';
export { sysctlGet, sysctlSet } from './sysctl.ts';
