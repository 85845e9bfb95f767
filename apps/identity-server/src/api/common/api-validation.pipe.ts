import { BadRequestException, Injectable, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { fieldErrorsOf, NOT_AN_OBJECT } from './field-errors.js';

const OPTIONS = {
  transform: true,
  whitelist: true,
  stopAtFirstError: true,
  // Types are checked, never guessed: "1" is not a number and "true" is not a boolean.
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: (errors: Parameters<typeof fieldErrorsOf>[0]) => new BadRequestException(fieldErrorsOf(errors)),
};

/**
 * The API's one validation pipe: a body or query DTO that fails its class-validator rules is a
 * 400 `{field: [message]}`. Unknown body fields are refused ("Unknown field."); unknown query
 * parameters are ignored, as they always were (browsers and proxies add their own).
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  private readonly queries = new ValidationPipe({ ...OPTIONS, forbidNonWhitelisted: false });

  constructor() {
    super({ ...OPTIONS, forbidNonWhitelisted: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!this.toValidate(metadata)) return value;
    if (metadata.type === 'query') return this.queries.transform(value ?? {}, metadata);
    // A JSON list, string or null body is not a set of fields: say so once, not per field.
    if (metadata.type === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value)))
      throw new BadRequestException({ non_field_errors: [NOT_AN_OBJECT] });
    return super.transform(value, metadata);
  }
}
