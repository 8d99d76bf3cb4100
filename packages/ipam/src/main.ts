import { leaveStoresToProcessExit } from './allocation-store.ts';
import { ipamPluginHandlers } from './ipam-plugin.ts';
import { runCniPlugin } from './protocol/plugin-main.ts';

// The loom-ipam executable: a CNI IPAM plugin speaking env + stdin/stdout.
leaveStoresToProcessExit();
void runCniPlugin(ipamPluginHandlers, 'loom-ipam');
