import type { HttpResponseLike } from '@idp/core';
import { Controller, Get, Injectable, NotFoundException, Param, Res, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './openapi.js';

/**
 * The docs page's own policy: like the web UI's, plus `data:` images, which Swagger UI's
 * stylesheet uses for its icons. Only this route and its assets get it.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface Asset {
  body: string;
  type: string;
}

/** Swagger UI's files, from the swagger-ui-dist package (no CDN), and the page that starts it. */
function loadAssets(): Map<string, Asset> {
  const dist = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
  const own = fileURLToPath(new URL('./assets/', import.meta.url));
  const read = (folder: string, name: string, type: string): [string, Asset] => [
    name,
    { body: readFileSync(join(folder, name), 'utf8'), type },
  ];
  return new Map([
    read(own, 'docs.html', 'text/html; charset=utf-8'),
    read(own, 'docs-init.js', 'text/javascript; charset=utf-8'),
    read(dist, 'swagger-ui.css', 'text/css; charset=utf-8'),
    read(dist, 'swagger-ui-bundle.js', 'text/javascript; charset=utf-8'),
  ]);
}

/** Builds the OpenAPI document once, on first use, from the running application. */
@Injectable()
export class OpenApiDocument {
  private app?: INestApplication;
  private document?: OpenAPIObject;

  /** `createApp` hands over the application; the document is built from its routes. */
  attach(app: INestApplication): void {
    this.app = app;
  }

  get(): OpenAPIObject {
    if (!this.app) throw new NotFoundException({ detail: 'Not found.' });
    return (this.document ??= buildOpenApiDocument(this.app));
  }
}

/** `GET /api/v3/schema/` (the OpenAPI 3 document, JSON) and `GET /api/v3/docs/` (Swagger UI). */
@Controller('api/v3')
@ApiExcludeController()
export class ApiDocsController {
  private readonly assets = loadAssets();

  constructor(
    private readonly document: OpenApiDocument,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get('schema')
  schema(): OpenAPIObject {
    return this.document.get();
  }

  @Get('docs')
  page(@Res() response: HttpResponseLike): void {
    this.send(response, this.assets.get('docs.html')!);
  }

  @Get('docs/:file')
  asset(@Param('file') file: string, @Res() response: HttpResponseLike): void {
    const asset = file === 'docs.html' ? undefined : this.assets.get(file);
    if (!asset) throw new NotFoundException({ detail: 'Not found.' });
    this.send(response, asset);
  }

  private send(response: HttpResponseLike, asset: Asset): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    adapter.setHeader(response, 'X-Content-Type-Options', 'nosniff');
    adapter.setHeader(response, 'Cache-Control', 'no-cache');
    adapter.setHeader(response, 'Content-Type', asset.type);
    adapter.reply(response, asset.body, 200);
  }
}
