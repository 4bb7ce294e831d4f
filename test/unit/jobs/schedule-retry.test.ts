// Which failed schedule firings the worker tries again: a device that went away yes, a wrong or locked
// HSM PIN never (each retry would count against the PIN and lock the HSM).
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { isRetriedFailure } from '../../../src/jobs/scheduler.ts';
import { pkcs11Error } from '../../../src/pki/pkcs11.ts';

describe('isRetriedFailure', () => {
  it.each([
    ['the HSM removed', pkcs11Error(Object.assign(new Error('CKR_DEVICE_REMOVED'), { code: 0x32 }), 'C_Sign'), true],
    ['the HSM not found', new GatewayError('PKCS11_TOKEN_NOT_FOUND'), true],
    ['a device error', new GatewayError('PKCS11_ERROR'), true],
    ['the database restarting', new Error('Connection terminated unexpectedly'), true],
    ['a wrong HSM PIN', new GatewayError('PKCS11_PIN_INCORRECT'), false],
    ['a locked HSM PIN', pkcs11Error(Object.assign(new Error('CKR_PIN_LOCKED'), { code: 0xa4 }), 'C_Login'), false],
    ['no PIN', new GatewayError('PKCS11_PIN_REQUIRED'), false],
    ['the key missing', new GatewayError('PKCS11_KEY_NOT_FOUND'), false],
    ['the module missing', new GatewayError('PKCS11_MODULE_LOAD_FAILED'), false],
    ['a bad configuration', new GatewayError('CONFIG_INVALID'), false],
  ])('%s: retried %s', (_name, err, retried) => {
    expect(isRetriedFailure(err)).toBe(retried);
  });
});
