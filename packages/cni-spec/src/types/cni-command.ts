/** The spec's operations (SPEC.md section 2; STATUS is described there but missing from its list). */
export const CNI_COMMANDS = ['ADD', 'DEL', 'CHECK', 'STATUS', 'VERSION', 'GC'] as const;

export type CniCommand = (typeof CNI_COMMANDS)[number];
