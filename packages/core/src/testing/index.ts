export {
  createFakeApiServer,
  FakeApiError,
  type FakeApiServer,
  type FakeApiServerOptions,
  type FakeFault,
  type FakeRequest,
  type FakeStore,
  parseApiPath,
  type StoredObject,
} from './fake-apiserver.ts';
export { fakeInformerHarness } from './fake-informer-harness.ts';
export { createFakeNft, type FakeNft, type FakeNftOptions } from './fake-nft.ts';
export { type RuleReferences, ruleReferences } from './fake-nft-references.ts';
export {
  apiConfigMapWriter,
  type ConfigMap,
  type ConfigMapWriter,
  eventually,
  type InformerHarness,
  trackingWriter,
} from './informer-harness.ts';
export {
  type InformerScenario,
  informerScenarios,
  scenarioSupported,
} from './informer-scenarios.ts';
export {
  canUseNetns,
  KERNEL_TOOLS,
  kernelSuiteTitle,
  kernelTierMissing,
  netnsSkipReason,
  requireRoot,
} from './kernel-availability.ts';
export { deleteRegisteredNetns, registeredNetns } from './netns-registry.ts';
export { type ComparableNftTable, comparableNftTable } from './nft-comparable.ts';
export { isCi, skipOrFailInCi } from './prerequisites.ts';
export {
  createTestNetns,
  type ExecOptions,
  type TestNetns,
  withThrowawayNetns,
} from './test-netns.ts';
