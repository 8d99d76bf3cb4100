// A minimal CNI runtime on libcni: load the first network of a conf dir, ADD an attachment,
// print its addresses, CHECK it, DEL it.
//   node --conditions=loom-source minimal-runtime.ts <conf dir> <bin dir> <cache dir> <netns path>
import { errorText } from '@loom-net/cni-spec';
import {
  addNetworkList,
  type CniConfig,
  type CniRuntimeConf,
  checkNetworkList,
  delNetworkList,
  ipsOnInterface,
  loadFirstNetworkList,
} from '@loom-net/cni-spec/libcni';

const [confDir, binDir, cacheDir, netns] = process.argv.slice(2);
if (netns === undefined) {
  console.error('usage: minimal-runtime.ts <conf dir> <bin dir> <cache dir> <netns path>');
  process.exit(2);
}

const load = loadFirstNetworkList(confDir!);
if (!load.ok) {
  console.error(load.message);
  process.exit(1);
}
const cni: CniConfig = { binDirs: [binDir!], cacheDir: cacheDir! };
const rt: CniRuntimeConf = {
  containerId: 'example',
  netns,
  ifName: 'eth0',
  args: [['IgnoreUnknown', '1']],
  capabilityArgs: {},
};
try {
  const result = await addNetworkList(load.list, rt, cni);
  process.stdout.write(`${load.list.name}: ${ipsOnInterface(result, rt.ifName).join(' ')}\n`);
  await checkNetworkList(load.list, rt, cni);
  await delNetworkList(load.list, rt, cni);
} catch (error) {
  console.error(errorText(error));
  process.exit(1);
}
