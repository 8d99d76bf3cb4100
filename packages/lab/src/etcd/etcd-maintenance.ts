import { request } from 'node:http';
import type { LabConfig } from '../config/lab-config.ts';

/** POST to etcd's JSON gateway (`/v3/…`) through the bridge's etcd socket. */
function postEtcd<T>(config: LabConfig, path: string, body: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: config.paths.sockets.etcd, path, method: 'POST', timeout: 10_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          if (response.statusCode !== 200) {
            reject(new Error(`etcd ${path} answered ${response.statusCode}: ${text.trim()}`));
            return;
          }
          resolve(JSON.parse(text) as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`etcd ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The store's current revision. */
export async function etcdRevision(config: LabConfig): Promise<number> {
  const status = await postEtcd<{ header: { revision: string } }>(
    config,
    '/v3/maintenance/status',
    {},
  );
  return Number(status.header.revision);
}

/**
 * Compacts etcd at its current revision, so every watch or list from an older
 * resourceVersion gets 410 Gone: what informers must survive by relisting.
 */
export async function compactEtcd(config: LabConfig): Promise<{ revision: number }> {
  const revision = await etcdRevision(config);
  await postEtcd(config, '/v3/kv/compaction', { revision: String(revision), physical: true });
  return { revision };
}
