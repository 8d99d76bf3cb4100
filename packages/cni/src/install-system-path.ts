import { withSystemToolDirs } from './system-path.ts';

// core's command runner copies process.env when its module is first evaluated, so the plugin's
// entry point imports this module before anything that imports core.
process.env.PATH = withSystemToolDirs(process.env.PATH);
