import { parseCidr } from '@loom-net/core';

/** Whether `text` is a CIDR with no host bits set (`10.96.0.0/12`). */
export function isCidrText(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}
