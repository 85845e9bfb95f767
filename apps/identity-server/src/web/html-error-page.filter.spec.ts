import { ForbiddenException, NotFoundException, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it, vi } from 'vitest';
import { HtmlErrorPageFilter } from './html-error-page.filter.js';

const HTML = 'text/html,*/*;q=0.8';

function setUp(request: { method: string; url: string; headers: Record<string, string> }) {
  const adapter = {
    reply: vi.fn(),
    setHeader: vi.fn(),
    isHeadersSent: vi.fn(() => false),
    end: vi.fn(),
  };
  const response = {};
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    getArgByIndex: (index: number) => [request, response][index],
    getArgs: () => [request, response],
  } as unknown as ArgumentsHost;
  const sut = new HtmlErrorPageFilter({ httpAdapter: adapter } as unknown as HttpAdapterHost);
  (sut as unknown as { logger: { error(): void } }).logger = { error: vi.fn() };
  return { sut, adapter, host, response };
}

describe('HtmlErrorPageFilter', () => {
  it.each([
    [new NotFoundException(), 404, '<title>Not found</title>'],
    [new ForbiddenException(), 403, '<h1>Administrators only</h1>'],
    [new ServiceUnavailableException(), 503, '<title>Temporarily unavailable</title>'],
    [new Error('boom: a secret detail'), 500, '<title>Something went wrong</title>'],
  ])('renders an HTML page for a browser page request (%s)', (exception, status, marker) => {
    const { sut, adapter, host } = setUp({ method: 'GET', url: '/if/x/', headers: { accept: HTML } });
    sut.catch(exception, host);
    const [, body, sent] = adapter.reply.mock.calls[0]!;
    expect(sent).toBe(status);
    expect(body).toContain(marker);
    expect(body).not.toContain('secret detail');
    expect(adapter.setHeader).toHaveBeenCalledWith(expect.anything(), 'Content-Type', 'text/html; charset=utf-8');
  });

  it.each([
    { method: 'GET', url: '/api/v3/x/', headers: { accept: HTML } },
    { method: 'GET', url: '/if/x/', headers: { accept: 'application/json' } },
  ])('leaves $url (Accept $headers.accept) to the JSON answer', (request) => {
    const { sut, adapter, host } = setUp(request);
    sut.catch(new NotFoundException(), host);
    const [, body, status] = adapter.reply.mock.calls[0]!;
    expect(status).toBe(404);
    expect(body).toMatchObject({ statusCode: 404 });
  });
});
