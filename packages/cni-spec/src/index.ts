// @loom-net/cni-spec: the CNI protocol (github.com/containernetworking/cni SPEC.md 1.1.0) in
// TypeScript. This entry holds what both sides share, pkg/types and pkg/version: results and
// their conversion between spec versions, the error result and its codes, the names the spec
// constrains. The plugin side is `@loom-net/cni-spec/skel`; the runtime side is
// `@loom-net/cni-spec/libcni`, on `@loom-net/cni-spec/invoke`.
export { formatCniArgs, parseCniArgs } from './types/cni-args.ts';
export {
  ATTACHMENTS_KEY,
  attachmentJson,
  type CniAttachment,
  parseValidAttachments,
  VALID_ATTACHMENTS_KEY,
} from './types/cni-attachment.ts';
export { CNI_COMMANDS, type CniCommand } from './types/cni-command.ts';
export {
  CNI_ERROR,
  CniError,
  type CniErrorName,
  type CniErrorOptions,
  type CniErrorResult,
  errorText,
  isCniError,
  toErrorResult,
  withContext,
} from './types/cni-error.ts';
export {
  type CniDns,
  type CniInterface,
  type CniIpConfig,
  type CniResult,
  type CniRoute,
  formatResult,
  isEmptyDns,
  parseDns,
  parseResult,
} from './types/cni-result.ts';
export {
  containerIdProblem,
  interfaceNameProblem,
  networkNameProblem,
} from './types/identifiers.ts';
export {
  formatInterfaceAddress,
  type InterfaceAddress,
  parseInterfaceAddress,
  parseRouteDestination,
  subnetOf,
} from './types/interface-address.ts';
export { asObject, describeValue } from './types/json-fields.ts';
export { readResult, writeResult } from './types/result-versions.ts';
export {
  ALL_CNI_VERSIONS,
  type CniVersion,
  CURRENT_CNI_VERSION,
  compareVersions,
  isSupportedVersion,
  isVersion,
  requireSupportedVersion,
  requireVerbInVersion,
  SUPPORTED_CNI_VERSIONS,
  versionAtLeast,
} from './version/cni-version.ts';
