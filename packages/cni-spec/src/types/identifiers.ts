// The spec's rules for the names it carries (SPEC.md sections 1 and 2; libcni checks the same in
// pkg/utils before ADD). Each function says what is wrong, or undefined when nothing is.

// "Must start with an alphanumeric character, optionally followed by any combination of one or
// more alphanumeric characters, underscore (), dot (.) or hyphen (-)." Container IDs and network
// names share the rule.
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function containerIdProblem(id: string): string | undefined {
  if (id === '') return 'it is empty';
  return IDENTIFIER.test(id)
    ? undefined
    : "it must start with a letter or digit, then letters, digits, '_', '.' or '-'";
}

/** A network name also names a directory (dataDir, the result cache), so it is kept short. */
export function networkNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (!IDENTIFIER.test(name) || name.length > 200) {
    return "it must start with a letter or digit, then letters, digits, '_', '.' or '-'";
  }
  return undefined;
}

/**
 * Linux interface name rules as the spec states them: not empty, not "." or "..", shorter
 * than 16 bytes (IFNAMSIZ), without '/', ':' or whitespace.
 */
export function interfaceNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `${JSON.stringify(name)} is reserved`;
  if (Buffer.byteLength(name) > 15) return 'it is longer than 15 bytes';
  if (/[/:\s]/.test(name)) return "it contains '/', ':' or whitespace";
  return undefined;
}
