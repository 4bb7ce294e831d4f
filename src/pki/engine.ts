// The one place that binds PKI.js to Node's WebCrypto. Every module of src/pki imports `pkiEngine()`
// from here, so the engine is set before PKI.js is used, whichever module loads first.
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

const ENGINE_NAME = 'node-webcrypto';

const engine = new pkijs.CryptoEngine({ name: ENGINE_NAME, crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] });
pkijs.setEngine(ENGINE_NAME, engine);

/** The PKI.js crypto engine backed by Node's WebCrypto (signing, verifying, key import). */
export function pkiEngine(): pkijs.CryptoEngine {
  return engine;
}
