import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { FlowRepository, safeNextPath } from '@idp/flows';
import { DeviceProofRequiredException, NotAuthenticatedException, SessionAuthService } from '@idp/user-login';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { readSignOutReason, type SignOutReason } from './sign-out-reasons.js';
import { securityHeaders, WebAssets, type WebAsset } from './web-assets.js';

const LOGIN_PATH = '/flows/-/default/authentication/';

/**
 * The web UI: static pages whose small scripts drive the JSON API. Responses go through the
 * HTTP adapter, so the pages work on Fastify and Express alike.
 */
// Pages, not API routes: they stay out of the OpenAPI document.
@ApiExcludeController()
@Controller()
export class WebController {
  private readonly assets = new WebAssets();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionAuthService,
    private readonly flows: FlowRepository,
  ) {}

  @Get()
  root(@Res() response: HttpResponseLike): void {
    this.redirect(response, '/if/user/');
  }

  @Get('if/flow/:slug')
  flow(@Res() response: HttpResponseLike): void {
    this.send(response, this.assets.page('flow'), 'page');
  }

  /**
   * Opens the default authentication flow; `next` survives only as a same-origin path, and
   * `reason` only as one of the known sign-out reason codes.
   */
  @Get('flows/-/default/authentication')
  async defaultAuthentication(
    @Query('next') next: unknown,
    @Query('reason') reason: unknown,
    @Res() response: HttpResponseLike,
  ): Promise<void> {
    const flow = await this.flows.findByDesignation('authentication');
    if (!flow) return this.send(response, this.assets.page('not-found'), 'page', 404);
    const query: string[] = [];
    if (typeof next === 'string' && next !== '') query.push(`next=${encodeURIComponent(safeNextPath(next))}`);
    const known = readSignOutReason(reason);
    if (known) query.push(`reason=${known}`);
    const search = query.length ? `?${query.join('&')}` : '';
    this.redirect(response, `/if/flow/${encodeURIComponent(flow.slug)}/${search}`);
  }

  @Get('if/user')
  async user(@Req() request: HttpRequestLike, @Res() response: HttpResponseLike): Promise<void> {
    if (await this.signedIn(request, response, '/if/user/')) this.send(response, this.assets.page('user'), 'page');
  }

  @Get('if/admin')
  async admin(@Req() request: HttpRequestLike, @Res() response: HttpResponseLike): Promise<void> {
    const user = await this.signedIn(request, response, '/if/admin/');
    if (!user) return;
    if (user.isSuperuser) this.send(response, this.assets.page('admin'), 'page');
    else this.send(response, this.assets.page('forbidden'), 'page', 403);
  }

  @Get('if/static/:file')
  asset(@Param('file') file: string, @Res() response: HttpResponseLike): void {
    const asset = this.assets.asset(file);
    if (asset) this.send(response, asset, 'asset');
    else this.send(response, this.assets.page('not-found'), 'page', 404);
  }

  /**
   * The signed-in user, or null after sending the browser to the login page. A broken session
   * binding throws on, so the binding filter answers (and logs) it the same way as everywhere else.
   */
  private async signedIn(request: HttpRequestLike, response: HttpResponseLike, here: string) {
    try {
      return (await this.sessions.authenticate(request, response)).user;
    } catch (error) {
      // A device-bound session without its proof (a DBSC browser would have refreshed first) signs in again.
      if (!(error instanceof NotAuthenticatedException || error instanceof DeviceProofRequiredException)) throw error;
      // A cookie without a live session: it ended or expired while the browser was away. Which
      // of the two is no longer known once the row is gone, so the page says only that it ended.
      const reason: SignOutReason | undefined = this.sessions.hasSessionCookie(request) ? 'ended' : undefined;
      this.redirect(response, `${LOGIN_PATH}?next=${encodeURIComponent(here)}${reason ? `&reason=${reason}` : ''}`);
      return null;
    }
  }

  private send(response: HttpResponseLike, asset: WebAsset, kind: 'page' | 'asset', status = 200): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(securityHeaders(kind))) adapter.setHeader(response, name, value);
    adapter.setHeader(response, 'Content-Type', asset.contentType);
    adapter.reply(response, asset.body, status);
  }

  private redirect(response: HttpResponseLike, location: string): void {
    this.adapterHost.httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    this.adapterHost.httpAdapter.redirect(response, 302, location);
  }
}
