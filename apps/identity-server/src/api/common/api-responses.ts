import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** The 404 (and the simple 4xx) body. */
export class DetailResponse {
  @ApiProperty({ example: 'Not found.' })
  detail: string;
}

/** The 401/403 body: what is wrong, and a code a client can branch on. */
export class CodedDetailResponse extends DetailResponse {
  @ApiProperty({
    example: 'permission_denied',
    enum: ['not_authenticated', 'invalid_token', 'permission_denied', 'session_binding_broken'],
  })
  code: string;
}

/** The 400 body: every field with a problem, and what is wrong with it; `non_field_errors` for the body as a whole. */
export const FIELD_ERRORS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'array', items: { type: 'string' } },
  example: { name: ['This field may not be blank.'], colour: ['Unknown field.'] },
} as const;

export class PaginationResponse {
  @ApiProperty({ type: 'integer' }) count: number;
  @ApiProperty({ type: 'integer' }) current: number;
  @ApiProperty({ type: 'integer', description: '0 on the last page.' }) next: number;
  @ApiProperty({ type: 'integer', description: '0 on the first page.' }) previous: number;
  @ApiProperty({ type: 'integer' }) total_pages: number;
  @ApiProperty({ type: 'integer' }) start_index: number;
  @ApiProperty({ type: 'integer' }) end_index: number;
}

/** A 200 list in authentik's shape: `{pagination, results: [model]}`. */
export function ApiPaginatedResponse(model: Type<unknown>) {
  return applyDecorators(
    ApiExtraModels(PaginationResponse, model),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: ['pagination', 'results', 'autocomplete'],
        properties: {
          pagination: { $ref: getSchemaPath(PaginationResponse) },
          results: { type: 'array', items: { $ref: getSchemaPath(model) } },
          autocomplete: {
            type: 'object',
            additionalProperties: true,
            description: "Always {}: authentik's search hints, which this server does not give.",
          },
        },
      },
    }),
  );
}

/** The error answers every authenticated API route may give. */
export function ApiAuthErrors() {
  return applyDecorators(
    ApiBearerAuth(),
    ApiCookieAuth(),
    ApiBadRequestResponse({ description: 'Invalid input; nothing was written.', schema: FIELD_ERRORS_SCHEMA }),
    ApiUnauthorizedResponse({ type: CodedDetailResponse, description: 'No valid token or session.' }),
    ApiNotFoundResponse({ type: DetailResponse }),
  );
}
