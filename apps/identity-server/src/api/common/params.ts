import { ParseIntPipe, ParseUUIDPipe, type ArgumentMetadata } from '@nestjs/common';
import { INT_MAX } from './dto-rules.js';
import { notFound } from './model-api.js';

/** A path UUID; one that is not a UUID names nothing, so it is a 404, never a database error. */
export class UuidParam extends ParseUUIDPipe {
  constructor() {
    super({ exceptionFactory: () => notFound() });
  }

  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return ((await super.transform(value, metadata)) as string).toLowerCase();
  }
}

/**
 * A path integer pk: not a number is a 400 (as Nest's `ParseIntPipe` says), and a number no
 * 32-bit key column can hold (below 1, or 2^31 and above) names nothing, so it is a 404.
 */
export class PkParam extends ParseIntPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<number> {
    const pk = (await super.transform(value, metadata)) as number;
    if (!Number.isSafeInteger(pk) || pk < 1 || pk > INT_MAX) throw notFound();
    return pk;
  }
}
