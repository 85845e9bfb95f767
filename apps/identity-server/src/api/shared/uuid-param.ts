import { NotFoundException, type PipeTransform } from '@nestjs/common';
import { isUuid } from './field-rules.js';

/** A path UUID that is not one is a 404 (the object cannot exist), never a database error. */
export class UuidParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new NotFoundException({ detail: 'Not found.' });
    return value.toLowerCase();
  }
}
