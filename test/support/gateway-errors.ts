// What a piece of work ended with, as the code a caller would see: the GatewayError's code, or NO_ERROR.
// Anything that is not a GatewayError is a bug of the code under test and is thrown on.
import { isGatewayError } from '../../src/errors.ts';

export async function gatewayCodeOf(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (isGatewayError(err)) return err.code;
    throw err;
  }
  return 'NO_ERROR';
}
