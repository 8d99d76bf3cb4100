// First: the tool directories must be on PATH before core's runner copies the environment.
import './install-system-path.ts';
import { runCniPlugin } from '@loom-net/cni-spec/skel';
import { leaveStoresToProcessExit } from '@loom-net/ipam';
import { bridgePluginHandlers } from './bridge-plugin.ts';

// The loom-cni executable: a CNI plugin speaking env + stdin/stdout.
leaveStoresToProcessExit();
void runCniPlugin(bridgePluginHandlers(), 'loom-cni');
