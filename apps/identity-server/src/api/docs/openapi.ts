import { GEOIP_BINDINGS, NETWORK_BINDINGS } from '@idp/user-login';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { CodedDetailResponse, FIELD_ERRORS_SCHEMA } from '../common/api-responses.js';
import { CHALLENGE_SCHEMAS, EXECUTOR_PATHS } from './flow-executor.openapi.js';

/** Where the document and its docs page are served. */
export const SCHEMA_PATH = '/api/v3/schema/';
export const DOCS_PATH = '/api/v3/docs/';

/**
 * The OpenAPI 3 document of the HTTP API, generated from the controllers, the DTOs and the
 * response classes. The flow executor lives in @idp/flows, which knows nothing of Swagger: its
 * challenges are described here, from the components the stages send.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('idp-user-login')
    .setDescription(
      'The identity server around the User Login stage: flows, stages, users, sessions and the audit log. ' +
        'Lists are `{pagination, results}` with `?page=` and `?page_size=` (more than 100 is clamped to 100). ' +
        'Invalid input is a 400 `{field: [message]}`.',
    )
    .setVersion('3')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An admin API token.' })
    .addCookieAuth('idp_session', { type: 'apiKey', in: 'cookie', name: 'idp_session' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [CodedDetailResponse],
    // Operation ids say the route, e.g. `UsersController_list`: stable for generated clients.
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    FieldErrors: FIELD_ERRORS_SCHEMA as never,
    // authentik names its binding enums; the properties keep theirs inline (the admin form reads them).
    NetworkBindingEnum: { type: 'string', enum: [...NETWORK_BINDINGS] },
    GeoipBindingEnum: { type: 'string', enum: [...GEOIP_BINDINGS] },
    ...CHALLENGE_SCHEMAS,
  };
  // The API's paths end with a slash (authentik's style; both adapters accept either).
  const paths = Object.entries({ ...document.paths, ...EXECUTOR_PATHS }).map(([path, item]) => [
    path.endsWith('/') ? path : `${path}/`,
    item,
  ]);
  document.paths = Object.fromEntries(paths);
  return document;
}
