// `npm run build`: dist/loom-cni, an executable that needs no Node on the host.
import { buildPluginExecutable, packagePaths } from '../../ipam/scripts/plugin-executable.ts';

await buildPluginExecutable(packagePaths(import.meta.dirname, 'loom-cni'));
