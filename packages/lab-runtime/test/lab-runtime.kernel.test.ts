import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { netnsExists } from '@loom-net/core';
import { canUseNetns, netnsSkipReason, skipOrFailInCi } from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Node } from './runtime-harness.ts';
import {
  AGNHOST_IMAGE,
  BUSYBOX_IMAGE,
  containerConfig,
  createNode,
  HEALTH_PORT,
  jsonFile,
  POD_GATEWAY,
  podConfig,
  runtimeTierMissing,
  waitFor,
} from './runtime-harness.ts';

const skip = canUseNetns() ? skipOrFailInCi(runtimeTierMissing()) : netnsSkipReason();
const CRI_LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z (stdout|stderr) (F|P) (.*)$/;

function ipInSubnet(ip: string): boolean {
  return /^198\.51\.100\.(\d+)$/.test(ip) && ip !== POD_GATEWAY;
}

async function runningContainer(
  node: Node,
  sandboxId: string,
  name: string,
  image: string,
  extra: Message = {},
) {
  const sandbox = await node.client.runtime('PodSandboxStatus', { pod_sandbox_id: sandboxId });
  const { container_id } = await node.client.runtime('CreateContainer', {
    pod_sandbox_id: sandboxId,
    config: containerConfig(name, image, extra),
    sandbox_config: { metadata: sandbox.status.metadata },
  });
  await node.client.runtime('StartContainer', { container_id });
  return container_id as string;
}

async function containerStatus(node: Node, id: string) {
  return (await node.client.runtime('ContainerStatus', { container_id: id })).status;
}

async function exited(node: Node, id: string) {
  return waitFor(`container ${id} to exit`, async () => {
    const s = await containerStatus(node, id);
    return s.state === 'CONTAINER_EXITED' ? s : undefined;
  });
}

describe.skipIf(skip !== undefined)(
  `lab runtime (real CRI server, crictl, CNI bridge)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: Node;
    let podId = '';
    let podIp = '';
    let webId = '';

    beforeAll(async () => {
      node = await createNode();
      await node.start();
    }, 60_000);

    afterAll(async () => {
      await node?.cleanup();
    }, 90_000);

    it('answers crictl version as the lab runtime', () => {
      const version = node.crictl(['version']);
      expect(version.status).toBe(0);
      expect(version.stdout).toMatch(/RuntimeName:\s+loom-lab/);
      expect(version.stdout).toMatch(/RuntimeApiVersion:\s+v1/);
    });

    it('serves /readyz and /metrics on its health port', async () => {
      const base = `http://127.0.0.1:${HEALTH_PORT}`;
      expect((await node.netns.exec('curl', ['-sf', `${base}/readyz`])).stdout).toContain('ok');
      const metrics = (await node.netns.exec('curl', ['-sf', `${base}/metrics`])).stdout;
      expect(metrics).toContain('loom_lab_runtime_cri_calls_total{method="Version",code="OK"}');
    });

    it('reports NetworkReady=false until a CNI config exists, then true', async () => {
      const before = await node.client.runtime('Status', {});
      const network = (s: Message) =>
        s.status.conditions.find((c: Message) => c.type === 'NetworkReady');
      expect(before.status.conditions.find((c: Message) => c.type === 'RuntimeReady').status).toBe(
        true,
      );
      expect(network(before)).toMatchObject({ status: false, reason: 'NetworkPluginNotReady' });
      expect(network(before).message).toContain('cni plugin not initialized');
      node.installCni();
      const info = node.crictl(['info']);
      expect(info.status).toBe(0);
      expect(network(JSON.parse(info.stdout))).toMatchObject({ status: true });
    });

    it('pulls agnhost and busybox, and fails an image outside the map naming it and the map', async () => {
      expect(node.crictl(['pull', AGNHOST_IMAGE]).status).toBe(0);
      expect(node.crictl(['pull', BUSYBOX_IMAGE]).status).toBe(0);
      const images = await node.client.image('ListImages', {});
      const tags = images.images.flatMap((i: Message) => i.repo_tags);
      expect(tags).toEqual(expect.arrayContaining([AGNHOST_IMAGE, BUSYBOX_IMAGE]));
      const failure = node.client.image('PullImage', { image: { image: 'nginx:1.27' } });
      await expect(failure).rejects.toMatchObject({ code: status.NOT_FOUND });
      await expect(failure).rejects.toThrow(/"nginx:1\.27".*image map.*agnhost/s);
    });

    it('runs a pod sandbox in its own netns with an IP from host-local', async () => {
      const run = node.crictl(['runp', jsonFile(node, 'web-pod.json', podConfig(node, 'web'))]);
      expect(run.status, run.stderr).toBe(0);
      podId = run.stdout.trim();
      const { status: sandbox } = await node.client.runtime('PodSandboxStatus', {
        pod_sandbox_id: podId,
      });
      podIp = sandbox.network.ip;
      expect(sandbox.state).toBe('SANDBOX_READY');
      expect(ipInSubnet(podIp)).toBe(true);
      expect(sandbox.linux.namespaces.options.network).toBe('POD');
      expect(netnsExists(`${node.netnsPrefix}${podId.slice(0, 12)}`)).toBe(true);
      expect(readdirSync(join(node.ipamDir, 'loom-test'))).toContain(podIp);
      expect(readdirSync(join(node.cacheDir, 'results'))).toContain(`loom-test-${podId}-eth0`);
    });

    it('serves agnhost netexec, reachable from the node with the client IP preserved', async () => {
      webId = await runningContainer(node, podId, 'web', AGNHOST_IMAGE, {
        args: ['netexec', '--http-port=8080'],
      });
      const url = (path: string) => `http://${podIp}:8080${path}`;
      const hostname = await waitFor('netexec to answer', async () => {
        try {
          return (await node.netns.exec('curl', ['-sf', '--max-time', '2', url('/hostname')]))
            .stdout;
        } catch {
          return undefined;
        }
      });
      expect(hostname).toBe('web');
      const clientIp = (await node.netns.exec('curl', ['-sf', url('/clientip')])).stdout;
      expect(clientIp.split(':')[0]).toBe(POD_GATEWAY);
    });

    it('runs ExecSync in the container with its exit code, DNS config and hostname', async () => {
      const exec = node.crictl([
        'exec',
        '-s',
        webId,
        'sh',
        '-c',
        'hostname; cat /etc/resolv.conf; ls /agnhost',
      ]);
      expect(exec.status, exec.stderr).toBe(0);
      expect(exec.stdout).toContain('web\n');
      expect(exec.stdout).toContain('nameserver 192.0.2.53');
      expect(exec.stdout).toContain('search default.svc.cluster.local');
      expect(exec.stdout).toContain('/agnhost');
      const failed = await node.client.runtime('ExecSync', {
        container_id: webId,
        cmd: ['sh', '-c', 'echo no >&2; exit 3'],
      });
      expect(failed.exit_code).toBe(3);
      expect(failed.stderr.toString()).toBe('no\n');
      const slow = node.client.runtime('ExecSync', {
        container_id: webId,
        cmd: ['sleep', '30'],
        timeout: 1,
      });
      await expect(slow).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
      const left = await node.client.runtime('ExecSync', {
        container_id: webId,
        cmd: ['sh', '-c', 'pgrep sleep || true'],
      });
      expect(left.stdout.toString()).toBe('');
    });

    it('writes a busybox container output to its CRI log and reports Completed', async () => {
      const id = await runningContainer(node, podId, 'echo', BUSYBOX_IMAGE, {
        command: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; printf tail'],
      });
      const done = await exited(node, id);
      expect(done).toMatchObject({ exit_code: 0, reason: 'Completed' });
      expect(BigInt(done.finished_at)).toBeGreaterThanOrEqual(BigInt(done.started_at));
      const lines = readFileSync(done.log_path, 'utf8').trimEnd().split('\n');
      const records = lines.map((line) => CRI_LOG_LINE.exec(line)?.slice(2));
      // The two streams are read separately, so only the order within each is defined.
      expect(records.filter((r) => r?.[0] === 'stdout')).toEqual([
        ['stdout', 'F', 'out1'],
        ['stdout', 'F', 'out2'],
        ['stdout', 'P', 'tail'],
      ]);
      expect(records.filter((r) => r?.[0] !== 'stdout')).toEqual([['stderr', 'F', 'err1']]);
      const logs = node.crictl(['logs', id]);
      expect(logs.stdout + logs.stderr).toContain('out2');
    });

    it('stops with the stop signal, then SIGKILL after the timeout, reporting exit codes', async () => {
      const trapping = await runningContainer(node, podId, 'trap', BUSYBOX_IMAGE, {
        command: ['sh', '-c', 'trap "exit 7" TERM; while true; do sleep 0.1; done'],
      });
      const stubborn = await runningContainer(node, podId, 'sleeper', BUSYBOX_IMAGE, {
        command: ['sleep', '600'],
      });
      // busybox's pgrep (a script where Debian's busybox-static lacks the applet) sees PID 1.
      const pgrep = await node.client.runtime('ExecSync', {
        container_id: stubborn,
        cmd: ['pgrep', 'sleep'],
      });
      expect(pgrep).toMatchObject({ exit_code: 0 });
      expect(pgrep.stdout.toString()).toBe('1\n');
      await node.client.runtime('StopContainer', { container_id: trapping, timeout: 10 });
      expect(await containerStatus(node, trapping)).toMatchObject({
        state: 'CONTAINER_EXITED',
        exit_code: 7,
        reason: 'Error',
      });
      const started = Date.now();
      await node.client.runtime('StopContainer', { container_id: stubborn, timeout: 2 });
      // PID 1 of its namespace without a SIGTERM handler: only SIGKILL ends it, after the timeout.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(await containerStatus(node, stubborn)).toMatchObject({
        state: 'CONTAINER_EXITED',
        exit_code: 137,
      });
    });

    it("gives a container the kubelet's mounts, env and working dir", async () => {
      const volume = join(node.dir, 'volume');
      mkdirSync(volume);
      writeFileSync(join(volume, 'data.txt'), 'from-host\n');
      const hosts = join(node.dir, 'etc-hosts');
      writeFileSync(hosts, '127.0.0.1 localhost\n192.0.2.7 web.kubelet.managed\n');
      const termination = join(node.dir, 'termination-log');
      writeFileSync(termination, '');
      const id = await runningContainer(node, podId, 'mounts', BUSYBOX_IMAGE, {
        command: ['sh', '-c', 'echo bye >/dev/termination-log; exec sleep 600'],
        working_dir: '/work/dir',
        envs: [{ key: 'GREETING', value: Buffer.from('hello world') }],
        mounts: [
          { container_path: '/data', host_path: volume, readonly: true },
          { container_path: '/etc/hosts', host_path: hosts },
          { container_path: '/dev/termination-log', host_path: termination },
        ],
      });
      const script =
        'pwd; echo "$GREETING"; cat /data/data.txt; grep kubelet /etc/hosts; touch /data/x || echo ro';
      const exec = await node.client.runtime('ExecSync', {
        container_id: id,
        cmd: ['sh', '-c', script],
      });
      expect(exec.stdout.toString().split('\n')).toEqual([
        '/work/dir',
        'hello world',
        'from-host',
        '192.0.2.7 web.kubelet.managed',
        'ro',
        '',
      ]);
      expect(readFileSync(termination, 'utf8')).toBe('bye\n');
      await node.client.runtime('StopContainer', { container_id: id, timeout: 0 });
      expect(await containerStatus(node, id)).toMatchObject({
        state: 'CONTAINER_EXITED',
        exit_code: 137,
      });
    });

    it('reopens the log after the kubelet rotated it', async () => {
      const { log_path: log } = await containerStatus(node, webId);
      renameSync(log, `${log}.1`);
      await node.client.runtime('ReopenContainerLog', { container_id: webId });
      await node.netns.exec('curl', ['-sf', `http://${podIp}:8080/echo?msg=after-rotation`]);
      await waitFor('the rotated log', async () =>
        existsSync(log) && readFileSync(log, 'utf8').includes('after-rotation') ? true : undefined,
      );
      expect(readFileSync(`${log}.1`, 'utf8')).not.toContain('after-rotation');
    });

    it('answers stats minimally but validly, and streaming calls with UNIMPLEMENTED', async () => {
      const containers = await node.client.runtime('ListContainerStats', {});
      const web = containers.stats.find((s: Message) => s.attributes.id === webId);
      expect(Number(web.memory.working_set_bytes.value)).toBeGreaterThan(0);
      expect(web.cpu.timestamp).not.toBe('0');
      const pods = await node.client.runtime('ListPodSandboxStats', {});
      const pod = pods.stats.find((s: Message) => s.attributes.id === podId);
      expect(pod.linux.network.default_interface.name).toBe('eth0');
      expect(Number(pod.linux.network.default_interface.rx_bytes.value)).toBeGreaterThan(0);
      expect(node.crictl(['stats']).stdout).toContain(webId.slice(0, 13));
      const fs = await node.client.image('ImageFsInfo', {});
      expect(Number(fs.image_filesystems[0].used_bytes.value)).toBeGreaterThan(0);
      for (const method of ['Exec', 'Attach']) {
        await expect(
          node.client.runtime(method, { container_id: webId, cmd: ['sh'], stdout: true }),
        ).rejects.toMatchObject({
          code: status.UNIMPLEMENTED,
        });
      }
    });

    it('fails StartContainer for a command that is not in the image (StartError)', async () => {
      const start = runningContainer(node, podId, 'missing', BUSYBOX_IMAGE, {
        command: ['no-such-tool'],
      });
      await expect(start).rejects.toThrow(/executable file not found in \$PATH/);
      const listed = await node.client.runtime('ListContainers', {
        filter: { label_selector: { 'io.kubernetes.container.name': 'missing' } },
      });
      const s = await containerStatus(node, listed.containers[0].id);
      expect(s).toMatchObject({ state: 'CONTAINER_EXITED', exit_code: 128, reason: 'StartError' });
    });

    it('re-adopts the running sandbox and container after a kill -9 of the runtime', async () => {
      const before = JSON.parse(
        (await node.client.runtime('ContainerStatus', { container_id: webId, verbose: true })).info
          .info,
      );
      await node.stop('SIGKILL');
      await node.start();
      const after = await node.client.runtime('ContainerStatus', {
        container_id: webId,
        verbose: true,
      });
      expect(after.status.state).toBe('CONTAINER_RUNNING');
      expect(JSON.parse(after.info.info).pid).toBe(before.pid);
      expect((await node.netns.exec('curl', ['-sf', `http://${podIp}:8080/hostname`])).stdout).toBe(
        'web',
      );
      const exec = await node.client.runtime('ExecSync', {
        container_id: webId,
        cmd: ['hostname'],
      });
      expect(exec.stdout.toString()).toBe('web\n');
      // The re-adopted container's output still reaches its log.
      await node.netns.exec('curl', ['-sf', `http://${podIp}:8080/echo?msg=after-restart`]);
      const log = after.status.log_path;
      await waitFor('the log line', async () =>
        readFileSync(log, 'utf8').includes('after-restart') ? true : undefined,
      );
      await node.client.runtime('StopContainer', { container_id: webId, timeout: 10 });
      const s = await containerStatus(node, webId);
      expect(s.state).toBe('CONTAINER_EXITED');
      expect(existsSync(`/proc/${before.pid}`)).toBe(false);
    });

    it('stopp/rmp run CNI DEL: the IP is released, netns and cache entries are gone', async () => {
      expect(node.crictl(['stopp', podId]).status).toBe(0);
      expect(readdirSync(join(node.ipamDir, 'loom-test'))).not.toContain(podIp);
      expect(netnsExists(`${node.netnsPrefix}${podId.slice(0, 12)}`)).toBe(false);
      expect(readdirSync(join(node.cacheDir, 'results')).filter((f) => f.includes(podId))).toEqual(
        [],
      );
      // A second stop is a no-op, as the kubelet expects.
      expect(node.crictl(['stopp', podId]).status).toBe(0);
      expect(node.crictl(['rmp', podId]).status).toBe(0);
      const pods = await node.client.runtime('ListPodSandbox', {});
      expect(pods.items).toEqual([]);
      expect(readdirSync(join(node.stateDir, 'containers'))).toEqual([]);
    });

    it('keeps a sandbox whose CNI DEL failed, and releases its IP once a retried DEL succeeds', async () => {
      const { pod_sandbox_id: id } = await node.client.runtime('RunPodSandbox', {
        config: podConfig(node, 'retry'),
      });
      const { status: sandbox } = await node.client.runtime('PodSandboxStatus', {
        pod_sandbox_id: id,
      });
      const conflist = join(node.confDir, '10-loom-test.conflist');
      const good = readFileSync(conflist, 'utf8');
      const broken = JSON.parse(good);
      broken.plugins.push({ type: 'loom-no-such-plugin' });
      writeFileSync(conflist, JSON.stringify(broken));
      try {
        const stop = node.client.runtime('StopPodSandbox', { pod_sandbox_id: id });
        await expect(stop).rejects.toThrow(/failed to destroy network.*loom-no-such-plugin/);
        expect(readdirSync(join(node.ipamDir, 'loom-test'))).toContain(sandbox.network.ip);
        expect(readdirSync(join(node.cacheDir, 'results'))).toContain(`loom-test-${id}-eth0`);
      } finally {
        writeFileSync(conflist, good);
      }
      await node.client.runtime('StopPodSandbox', { pod_sandbox_id: id });
      expect(readdirSync(join(node.ipamDir, 'loom-test'))).not.toContain(sandbox.network.ip);
      await node.client.runtime('RemovePodSandbox', { pod_sandbox_id: id });
    });

    it('runs hostNetwork pods in the node netns', async () => {
      const config = podConfig(node, 'hostnet', {
        linux: {
          security_context: {
            namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' },
          },
        },
      });
      const { pod_sandbox_id } = await node.client.runtime('RunPodSandbox', { config });
      const { status: sandbox } = await node.client.runtime('PodSandboxStatus', { pod_sandbox_id });
      expect(sandbox.linux.namespaces.options.network).toBe('NODE');
      const id = await runningContainer(node, pod_sandbox_id, 'links', BUSYBOX_IMAGE, {
        command: ['sleep', '600'],
      });
      const links = await node.client.runtime('ExecSync', {
        container_id: id,
        cmd: ['ip', '-o', 'link'],
      });
      expect(links.stdout.toString()).toContain('cni0');
      await node.client.runtime('RemovePodSandbox', { pod_sandbox_id });
    });

    it('garbage-collects an attachment whose sandbox record was lost, and leaves nothing behind', async () => {
      const { pod_sandbox_id: id } = await node.client.runtime('RunPodSandbox', {
        config: podConfig(node, 'lost'),
      });
      const { status: sandbox } = await node.client.runtime('PodSandboxStatus', {
        pod_sandbox_id: id,
      });
      await node.stop('SIGKILL');
      // The record vanishes (as if the runtime died before writing it); the attachment stays.
      rmSync(join(node.stateDir, 'sandboxes', id), { recursive: true, force: true });
      await node.start();
      expect(readdirSync(join(node.ipamDir, 'loom-test'))).not.toContain(sandbox.network.ip);
      expect(netnsExists(`${node.netnsPrefix}${id.slice(0, 12)}`)).toBe(false);
      await node.client.runtime('RunPodSandbox', { config: podConfig(node, 'last') });
      await node.stop('SIGTERM');
      const removed = node.removeAllPods();
      expect(removed.status, removed.output).toBe(0);
      expect(readdirSync('/var/run/netns').filter((n) => n.startsWith(node.netnsPrefix))).toEqual(
        [],
      );
      expect(
        readdirSync(join(node.ipamDir, 'loom-test')).filter((f) => f.startsWith('198.')),
      ).toEqual([]);
    });
  },
);
