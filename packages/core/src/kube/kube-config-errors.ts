/** No source of client configuration exists; `tried` names each source and why it failed. */
export class KubeConfigNotFoundError extends Error {
  readonly code = 'LOOM_KUBECONFIG_NOT_FOUND';
  readonly tried: readonly string[];

  constructor(tried: string[]) {
    super(`cannot find a Kubernetes client configuration: tried ${tried.join('; ')}`);
    this.name = 'KubeConfigNotFoundError';
    this.tried = tried;
  }
}

/**
 * A kubeconfig exists but cannot be used: it does not parse, names a context, cluster or user
 * that is not there, holds bad base64, points at a file that cannot be read, or asks for
 * something Loom does not support (proxy-url, auth-provider). The message names the file.
 */
export class KubeConfigInvalidError extends Error {
  readonly code = 'LOOM_KUBECONFIG_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeConfigInvalidError';
  }
}

/** A user's credentials could not be produced for a request (an exec plugin failed). */
export class KubeCredentialError extends Error {
  readonly code = 'LOOM_KUBE_CREDENTIAL';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeCredentialError';
  }
}
