export * from './daemon/index.ts';
export * from './kernel/index.ts';
export * from './kube/index.ts';
export * from './net/index.ts';
