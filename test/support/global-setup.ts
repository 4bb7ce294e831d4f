// Runs once before all test files: makes the day's test PKI, so parallel test workers find it ready
// instead of racing to generate it.
import { getTestPki } from './pki.ts';

export default async function setup(): Promise<void> {
  await getTestPki();
}
