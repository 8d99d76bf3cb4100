// libcni: the runtime side. Load a network configuration list, then ADD, CHECK, DEL, GC and
// STATUS it for an attachment, with results cached where libcni caches them.
export { ipsOnInterface } from './interface-ips.ts';
export {
  CNI_NOT_INITIALIZED,
  type CniConfigLoad,
  type CniNetworkList,
  type CniPluginConf,
  CONFIG_EXTENSIONS,
  configFiles,
  loadFirstNetworkList,
  parseNetworkList,
} from './network-config.ts';
export { gcNetworkList, statusNetworkList } from './network-gc.ts';
export {
  addNetworkList,
  checkNetworkList,
  delNetworkList,
  getCachedResult,
} from './network-list.ts';
export { buildPluginConfig, describePlugin } from './plugin-config.ts';
export {
  type CachedAttachment,
  cachedNetworkList,
  cachedResult,
  cacheFilePath,
  deleteCachedAttachment,
  listCachedAttachments,
  readCachedAttachment,
} from './result-cache.ts';
export type { CapabilityArgs, CniConfig, CniRuntimeConf, PluginExec } from './runtime-conf.ts';
