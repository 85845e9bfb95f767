import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { FlowExecutorService, type Challenge } from './flow-executor.service.js';

/**
 * authentik's flow executor API: GET the current challenge, POST the answer to it, DELETE to
 * abandon the walk ("Not you?") so the next GET starts the flow over.
 */
@Controller('api/v3/flows/executor')
export class FlowExecutorController {
  constructor(private readonly executor: FlowExecutorService) {}

  @Get(':slug')
  show(
    @Param('slug') slug: string,
    @Query() query: Record<string, unknown>,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ): Promise<Challenge> {
    return this.executor.show(slug, request, response, query);
  }

  @Post(':slug')
  @HttpCode(200)
  answer(
    @Param('slug') slug: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ): Promise<Challenge> {
    return this.executor.answer(slug, request, response, query, body);
  }

  @Delete(':slug')
  @HttpCode(204)
  cancel(
    @Param('slug') slug: string,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: HttpResponseLike,
  ): Promise<void> {
    return this.executor.cancel(slug, request, response);
  }
}
