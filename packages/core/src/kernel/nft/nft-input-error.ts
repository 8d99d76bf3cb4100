/**
 * A transaction was given something nft would refuse or misread (a bad name, a comment too
 * long, text that would end the command early). Thrown when the operation is added, so the
 * mistake is reported where it is made, naming the object, not later as an nft syntax error.
 */
export class NftInputError extends Error {
  readonly code = 'LOOM_NFT_INVALID_INPUT';
  /** The object as nft names it, e.g. `set inet loom-cni pods4-1a2b`. */
  readonly object: string;

  constructor(object: string, problem: string) {
    super(`invalid nft ${object}: ${problem}`);
    this.name = 'NftInputError';
    this.object = object;
  }
}

export function isNftInputError(error: unknown): error is NftInputError {
  return error instanceof NftInputError;
}
