// pkg/skel: the plugin side. A plugin is one handler per verb; runCniPlugin does the rest.
export { attachmentOf, type CniEnvironment, parseCniEnvironment } from './cni-env.ts';
export {
  buildRequest,
  type CniRequest,
  decodeConfig,
  previousResult,
  versionForErrors,
} from './cni-request.ts';
export {
  type CniInvocation,
  type CniOutcome,
  type CniPluginHandlers,
  handleCniInvocation,
  runCniPlugin,
} from './plugin-main.ts';
