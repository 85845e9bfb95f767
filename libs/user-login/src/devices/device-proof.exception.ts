import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A device-bound session's request came without its valid bound cookie. The session is kept:
 * a DBSC browser refreshes the cookie and retries; a copied session cookie alone gets nowhere.
 */
export class DeviceProofRequiredException extends HttpException {
  readonly code = 'device_proof_required';

  constructor() {
    super({ detail: 'Device proof required', code: 'device_proof_required' }, HttpStatus.UNAUTHORIZED);
  }
}
