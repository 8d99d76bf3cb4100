export { childProcessModule } from './child-process-module.ts';
export type { CommandRunnerOptions } from './command-runner.ts';
export { createCommandRunner } from './command-runner.ts';
export { conntrackFlush } from './conntrack.ts';
export { findExecutable } from './find-executable.ts';
export {
  bridgeBatch,
  bridgeFdb,
  bridgeJson,
  ipBatch,
  ipJson,
  ipLinks,
  ipNeighbours,
  ipRoutes,
} from './ip.ts';
export type {
  BridgeFdbJson,
  IpAddrInfoJson,
  IpLinkCountersJson,
  IpLinkInfoJson,
  IpLinkJson,
  IpNeighbourJson,
  IpRouteJson,
} from './ip-json.ts';
export {
  IpJsonShapeError,
  isLinkUp,
  parseBridgeFdb,
  parseIpLinks,
  parseIpNeighbours,
  parseIpRoutes,
} from './ip-json.ts';
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
export type { NftApplier } from './nft/nft-apply.ts';
export { applyNftTransaction, createNftApplier, nftErrorLine } from './nft/nft-apply.ts';
export type { NftElementMirror, NftMirroredElement } from './nft/nft-element-mirror.ts';
export { createNftElementMirror } from './nft/nft-element-mirror.ts';
export { isNftInputError, NftInputError } from './nft/nft-input-error.ts';
export type { NftJsonChain, NftJsonRule, NftJsonSet, NftJsonTable } from './nft/nft-json.ts';
export {
  nftJsonParts,
  nftJsonValueText,
  nftSetState,
  parseNftTables,
} from './nft/nft-json.ts';
export {
  checkNftName,
  hashedNftName,
  isNftKeyword,
  NFT_COMMENT_MAX_BYTES,
  NFT_NAME_MAX_BYTES,
  nftNameProblem,
} from './nft/nft-names.ts';
export type {
  NftBaseChain,
  NftChain,
  NftChainRef,
  NftChainType,
  NftDataType,
  NftElement,
  NftFamily,
  NftHook,
  NftMap,
  NftObject,
  NftOperation,
  NftPolicy,
  NftPriorityName,
  NftRule,
  NftRuleHandle,
  NftSet,
  NftSetFlag,
  NftSetRef,
  NftTable,
  NftTableRef,
  NftVerb,
} from './nft/nft-objects.ts';
export { nftConcat, nftParts, nftPriorityValue } from './nft/nft-objects.ts';
export { nftAnonymousSet, nftObjectLabel, nftQuote, renderNftOperation } from './nft/nft-render.ts';
export type {
  NftChainState,
  NftElementState,
  NftRuleState,
  NftSetState,
  NftTableState,
} from './nft/nft-state.ts';
export type { NftTransaction } from './nft/nft-transaction.ts';
export { createNftTransaction } from './nft/nft-transaction.ts';
export { nftApply, nftJson } from './nft.ts';
export type { RecordedResponse, RecordingRunner } from './recording-runner.ts';
export { commandLine, createRecordingRunner } from './recording-runner.ts';
export { sysctlGet, sysctlSet } from './sysctl.ts';
