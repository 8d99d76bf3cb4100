// `npm run build`: dist/loom-ipam, an executable that needs no Node on the host.
import { buildPluginExecutable, packagePaths } from './plugin-executable.ts';

await buildPluginExecutable(packagePaths(import.meta.dirname, 'loom-ipam'));
