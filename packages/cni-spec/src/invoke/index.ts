// pkg/invoke: running plugins, for runtimes (libcni builds on it) and for plugins that delegate.
export {
  type ExecPlugin,
  execPlugin,
  execPluginWithResult,
  type PluginCall,
} from './exec-plugin.ts';
export { findInPath, requireInPath } from './find-in-path.ts';
export {
  delegateEnvironment,
  type PluginArgs,
  pluginEnvironment,
} from './plugin-env.ts';
