import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LabError } from '../errors.ts';
import {
  CA_COMMON_NAME,
  CA_NAME,
  type CertificateSpec,
  FRONT_PROXY_CA_NAME,
  labCertificates,
  renderCaConfig,
  renderLeafExtensions,
  SERVICE_ACCOUNT_KEY_NAME,
  subjectOf,
} from './certificate-specs.ts';

const VALID_DAYS = '3650';

/** Paths of the files `ensurePki` makes. */
export function pkiFiles(pkiDir: string) {
  const pair = (name: string) => ({
    cert: join(pkiDir, `${name}.crt`),
    key: join(pkiDir, `${name}.key`),
  });
  return {
    ca: pair(CA_NAME),
    frontProxyCa: pair(FRONT_PROXY_CA_NAME),
    frontProxyClient: pair('front-proxy-client'),
    apiServer: pair('apiserver'),
    apiServerKubeletClient: pair('apiserver-kubelet-client'),
    admin: pair('admin'),
    controllerManager: pair('controller-manager'),
    scheduler: pair('scheduler'),
    serviceAccountKey: join(pkiDir, `${SERVICE_ACCOUNT_KEY_NAME}.key`),
    serviceAccountPub: join(pkiDir, `${SERVICE_ACCOUNT_KEY_NAME}.pub`),
  };
}

export type PkiFiles = ReturnType<typeof pkiFiles>;

function allFiles(files: PkiFiles): string[] {
  return Object.values(files).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : [entry.cert, entry.key],
  );
}

/**
 * Creates the lab's CA, every certificate and the service-account key pair, unless all of
 * them exist. The set is made in a temporary directory and renamed into place, so it is
 * either complete or absent; a partial set is thrown away (certificates of a lost CA are
 * useless). Returns whether it generated.
 */
export async function ensurePki(pkiDir: string): Promise<boolean> {
  if (allFiles(pkiFiles(pkiDir)).every((file) => existsSync(file))) return false;
  const scratch = await mkdtemp(`${pkiDir}.partial-`);
  try {
    await generateCa(scratch, CA_NAME, CA_COMMON_NAME);
    await generateCa(scratch, FRONT_PROXY_CA_NAME, FRONT_PROXY_CA_NAME);
    for (const spec of labCertificates()) await generateLeaf(scratch, spec);
    await generateServiceAccountKey(scratch);
    await rm(pkiDir, { recursive: true, force: true });
    await rename(scratch, pkiDir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return true;
}

async function generateCa(dir: string, name: string, commonName: string): Promise<void> {
  const files = { key: join(dir, `${name}.key`), cert: join(dir, `${name}.crt`) };
  const config = join(dir, `${name}.cnf`);
  await writeFile(config, renderCaConfig(commonName));
  await newEcKey(files.key);
  await openssl(`create the CA ${commonName}`, [
    'req',
    '-x509',
    '-new',
    '-key',
    files.key,
    '-sha256',
    '-days',
    VALID_DAYS,
    '-config',
    config,
    '-out',
    files.cert,
  ]);
  await unlink(config);
}

/**
 * Issues `spec` into `dir` (`<name>.key`, `<name>.crt`), signed by the CA whose files are in
 * `caDir` (the same directory while the lab's own set is made; the lab's PKI dir for a node's).
 */
export async function generateLeaf(
  dir: string,
  spec: CertificateSpec,
  caDir: string = dir,
): Promise<void> {
  const signer = spec.signer ?? CA_NAME;
  const ca = { cert: join(caDir, `${signer}.crt`), key: join(caDir, `${signer}.key`) };
  const key = join(dir, `${spec.name}.key`);
  const csr = join(dir, `${spec.name}.csr`);
  const ext = join(dir, `${spec.name}.ext`);
  const action = `issue the ${spec.name} certificate (CN=${spec.commonName})`;
  await newEcKey(key);
  await openssl(action, ['req', '-new', '-key', key, '-subj', subjectOf(spec), '-out', csr]);
  await writeFile(ext, renderLeafExtensions(spec));
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await openssl(action, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    serial,
    '-sha256',
    '-days',
    VALID_DAYS,
    '-extfile',
    ext,
    '-extensions',
    'ext',
    '-out',
    join(dir, `${spec.name}.crt`),
  ]);
  await unlink(csr);
  await unlink(ext);
}

// RSA, the one key type every Kubernetes version accepts for service-account tokens.
async function generateServiceAccountKey(dir: string): Promise<void> {
  const files = pkiFiles(dir);
  const action = 'create the service-account signing key';
  await openssl(action, [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    files.serviceAccountKey,
  ]);
  await chmod(files.serviceAccountKey, 0o600);
  await openssl(action, [
    'pkey',
    '-in',
    files.serviceAccountKey,
    '-pubout',
    '-out',
    files.serviceAccountPub,
  ]);
}

async function newEcKey(path: string): Promise<void> {
  await openssl(`create the key ${path}`, [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
  await chmod(path, 0o600);
}

async function openssl(action: string, args: string[]): Promise<void> {
  try {
    await promisify(execFile)('openssl', args, { timeout: 30_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new LabError(
      'LOOM_LAB_PKI_FAILED',
      `cannot ${action}: openssl ${args[0]} failed${stderr ? `: ${stderr}` : ''}`,
      { cause: error },
    );
  }
}
