import { runCniPlugin } from '@loom-net/cni-spec/skel';
import { leaveStoresToProcessExit } from './allocation-store.ts';
import { ipamPluginHandlers } from './ipam-plugin.ts';

// The loom-ipam executable: a CNI IPAM plugin speaking env + stdin/stdout.
leaveStoresToProcessExit();
void runCniPlugin(ipamPluginHandlers, 'loom-ipam');
