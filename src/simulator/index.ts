// The national simulator's public surface (NATIONAL_API.md, the national side, for tests and demos).
export { buildSimulator, startSimulator, type RunningSimulator, type Simulator, type SimulatorOptions, type SimulatorTls } from './app.ts';
export { FaultPlanSchema, seededRandom, type FaultPlan, type FaultRule, type RouteName } from './faults.ts';
export type { SimClient } from './sim-context.ts';
export type { PreloadInput, SimStatsView, SimulatorControl } from './sim-control.ts';
export { createNationalSigner, createProvinceVerifier, type NationalSigner, type SignerSource } from './signatures.ts';
export { createSimStorage, type SimStorage } from './storage.ts';
export { INBOUND_TRANSFER_PATH, sendTransferRequest, type SendTransferOptions, type TransferRequestInput } from './transfer-sender.ts';
