import { withSystemToolDirs } from './system-path.ts';

// core's command runner copies process.env at the first command it runs; the plugin's entry
// point imports this module first, so PATH is complete before any command can run.
process.env.PATH = withSystemToolDirs(process.env.PATH);
