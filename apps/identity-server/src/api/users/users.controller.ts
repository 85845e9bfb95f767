import {
  EventService,
  hashPassword,
  toEventUser,
  toPublicUser,
  UserRepository,
  type HttpRequestLike,
  type User,
} from '@idp/core';
import { CurrentSession, SessionBindingGuard, TerminateSessionsService, type ActiveSession } from '@idp/user-login';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { AdminOnly, ApiAuthGuard, type ApiCaller } from '../../auth/api-auth.guard.js';
import { Caller } from '../../auth/caller.decorator.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';
import { validatePassword, validateUserInput } from './user.validation.js';

/** `/api/v3/core/users/`: the signed-in user, and user management for admins. */
@Controller('api/v3/core/users')
export class UsersController {
  constructor(
    private readonly users: UserRepository,
    private readonly events: EventService,
    private readonly terminator: TerminateSessionsService,
  ) {}

  @Get('me')
  @UseGuards(SessionBindingGuard)
  me(@CurrentSession() current: ActiveSession) {
    return { user: toPublicUser(current.user) };
  }

  @Get()
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const [rows, count] = await this.users.list({
      offset: page.offset,
      limit: page.pageSize,
      search: queryText(query, 'search'),
    });
    return paginated(page, count, rows.map(toPublicUser));
  }

  @Get(':pk')
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  async get(@Param('pk', ParseIntPipe) pk: number) {
    return toPublicUser(await this.find(pk));
  }

  @Post()
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  async create(@Body() body: unknown, @Caller() caller: ApiCaller) {
    const input = validateUserInput(body, false);
    if (await this.users.findByUsername(input.username!))
      throw new BadRequestException({ username: ['A user with that username already exists.'] });
    const user = await this.users.create({
      ...input,
      password: input.password ? await hashPassword(input.password) : null,
    });
    await this.audit('model_created', caller, user);
    return toPublicUser(user);
  }

  @Patch(':pk')
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  async update(
    @Param('pk', ParseIntPipe) pk: number,
    @Body() body: unknown,
    @Caller() caller: ApiCaller,
    @Req() request: HttpRequestLike,
  ) {
    const user = await this.find(pk);
    const { password, ...fields } = validateUserInput(body, true);
    if (fields.username && fields.username !== user.username && (await this.users.findByUsername(fields.username))) {
      throw new BadRequestException({ username: ['A user with that username already exists.'] });
    }
    await this.users.update(pk, { ...fields, ...(password ? { password: await hashPassword(password) } : {}) });
    // A deactivated user must not keep working sessions; the log says who ended them.
    if (fields.isActive === false) await this.terminator.revokeAllOf([pk], { user: caller.user, request });
    const updated = await this.find(pk);
    await this.audit('model_updated', caller, updated);
    return toPublicUser(updated);
  }

  @Post(':pk/set_password')
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  @HttpCode(204)
  async setPassword(@Param('pk', ParseIntPipe) pk: number, @Body() body: unknown, @Caller() caller: ApiCaller) {
    const user = await this.find(pk);
    const password = validatePassword((body as Record<string, unknown> | null)?.password);
    await this.users.update(pk, { password: await hashPassword(password) });
    await this.audit('password_set', caller, user);
  }

  @Delete(':pk')
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param('pk', ParseIntPipe) pk: number, @Caller() caller: ApiCaller, @Req() request: HttpRequestLike) {
    const user = await this.find(pk);
    // Revoke first: the cascade would drop the rows silently, without events or hooks.
    await this.terminator.revokeAllOf([pk], { user: caller.user, request });
    await this.users.delete(pk);
    await this.audit('model_deleted', caller, user);
  }

  private async find(pk: number): Promise<User> {
    const user = await this.users.findByPk(pk);
    if (!user) throw new NotFoundException({ detail: 'Not found.' });
    return user;
  }

  private async audit(action: string, caller: ApiCaller, user: User): Promise<void> {
    await this.events.record({
      action,
      app: 'idp.api',
      user: toEventUser(caller.user),
      context: { model: { app: 'core', model_name: 'user', pk: user.pk, name: user.username } },
    });
  }
}
