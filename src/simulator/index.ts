/**
 * A faithful simulator of OneLogin's events APIs, for demo mode, tests and benchmarks
 * (issue 2). Start it in-process with `startSimulator()` or standalone with
 * `npm run simulator -- --help`.
 */
export { startSimulator } from './startSimulator';
export { DEMO_CREDENTIALS } from './demoCredentials';
export { DEMO_OIDC_AUDIENCE, DEMO_OIDC_ISSUER, demoJwks, signDemoToken } from './demoOidc';
export type { DemoTokenOptions } from './demoOidc';
export type {
  CounterSnapshot,
  EventRecord,
  EventTypeRecord,
  FailedProvisioningRecord,
  FailedProvisioningUser,
  FaultController,
  FaultInjection,
  FaultKind,
  FaultRates,
  RateLimitBurst,
  SimulatorData,
  SimulatorHandle,
  SimulatorLogger,
  SimulatorOptions,
} from './types';
