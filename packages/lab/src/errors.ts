export type LabErrorCode =
  | 'LOOM_LAB_NOT_ROOT'
  | 'LOOM_LAB_MISSING_TOOL'
  | 'LOOM_LAB_BAD_CONFIG'
  | 'LOOM_LAB_BUILD_FAILED'
  | 'LOOM_LAB_BINARIES_MISSING'
  | 'LOOM_LAB_NETNS_TAKEN'
  | 'LOOM_LAB_PORT_TAKEN'
  | 'LOOM_LAB_NETWORK_FAILED'
  | 'LOOM_LAB_PKI_FAILED'
  | 'LOOM_LAB_COMPONENT_CRASHED'
  | 'LOOM_LAB_COMPONENT_NOT_READY'
  | 'LOOM_LAB_NOT_UP'
  | 'LOOM_LAB_STOP_FAILED'
  | 'LOOM_LAB_MOUNT_FAILED'
  | 'LOOM_LAB_NODE_FAILED'
  | 'LOOM_LAB_NODE_NOT_READY'
  | 'LOOM_LAB_EXEC_TARGET'
  | 'LOOM_LAB_IMAGE'
  | 'LOOM_LAB_INSTALL_FAILED';

/** Every failure the lab reports: a stable code, a message naming the object and the action. */
export class LabError extends Error {
  readonly code: LabErrorCode;

  constructor(code: LabErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
  }
}

export function isLabError(error: unknown, code?: LabErrorCode): error is LabError {
  return error instanceof LabError && (code === undefined || error.code === code);
}
