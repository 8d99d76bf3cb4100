export { addAttachment } from './add-attachment.ts';
export { type BridgeConfig, DEFAULT_BRIDGE, parseBridgeConfig } from './bridge-config.ts';
export { bridgePluginHandlers } from './bridge-plugin.ts';
export { checkAttachment } from './check-attachment.ts';
export { deleteAttachment } from './delete-attachment.ts';
export { enableForwarding } from './forwarding.ts';
export { collectGarbage, reportStatus } from './gc-network.ts';
export { IpBatchError, ipBatchJson } from './ip-batch.ts';
export { type IpamDelegate, ipamDelegate, LOOM_IPAM } from './ipam-delegate.ts';
export { kernelFailure, linkExists, removeLink } from './kernel-links.ts';
export {
  bridgeCreateLines,
  hostSetupLines,
  hostVethName,
  type LinkPlan,
  type PodRoute,
  podSetupLines,
  randomMac,
} from './link-plan.ts';
export {
  addMasquerade,
  listMasquerade,
  removeAttachmentMasquerade,
  removeMasquerade,
} from './masquerade.ts';
export {
  attachmentComment,
  MASQ_TABLE,
  type MasqElement,
  type MasqNames,
  masqAddTransaction,
  masqDeleteTransaction,
  masqElements,
  masqNames,
} from './masquerade-rules.ts';
export { netnsPresent, type PodNetns, requirePodNetns, runnerNetns } from './netns-ref.ts';
export { type PodAddressing, planPodAddressing } from './pod-addressing.ts';
export { createRollback, type Rollback } from './rollback.ts';
export { SYSTEM_TOOL_DIRS, withSystemToolDirs } from './system-path.ts';
