import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeTarget {
  /** A unix socket, or else host and port. */
  socketPath?: string;
  host?: string;
  port?: number;
  path: string;
  /** HTTPS with these credentials; `ca` absent = accept any certificate (self-signed health ports). */
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  timeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  /** Status and body, or the connection error: what a person reads when it is not ok. */
  detail: string;
}

/** A GET that never throws: 2xx is ok, anything else says why not. */
export function probe(target: ProbeTarget): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const common = {
      socketPath: target.socketPath,
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'GET',
      timeout: target.timeoutMs ?? 2_000,
      agent: false as const,
    };
    const onResponse = (response: import('node:http').IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          detail: `${status} ${body.trim().slice(0, 200)}`,
        });
      });
    };
    const req = target.tls
      ? httpsRequest(
          {
            ...common,
            ca: target.tls.ca,
            cert: target.tls.cert,
            key: target.tls.key,
            servername: target.tls.servername,
            rejectUnauthorized: target.tls.ca !== undefined,
          },
          onResponse,
        )
      : httpRequest(common, onResponse);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${common.timeout} ms`)));
    req.on('error', (error) => resolve({ ok: false, detail: error.message }));
    req.end();
  });
}
