import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { AdminOnly, ApiAuthGuard } from '../../auth/api-auth.guard.js';
import { ApiAuthErrors, CodedDetailResponse } from './api-responses.js';

/**
 * An admin API controller or route: a bearer token or a superuser's session, and the error
 * answers that go with it in the OpenAPI document.
 */
export function AdminApi() {
  return applyDecorators(
    UseGuards(ApiAuthGuard),
    AdminOnly(),
    ApiAuthErrors(),
    ApiForbiddenResponse({ type: CodedDetailResponse, description: 'The caller is not a superuser.' }),
  );
}

/** An API route any signed-in user may call (token or session); it answers for their own data. */
export function UserApi() {
  return applyDecorators(UseGuards(ApiAuthGuard), ApiAuthErrors());
}
