import { EventService, hashPassword, toEventUser, UserRepository, type HttpRequestLike, type User } from '@idp/core';
import {
  CurrentSession,
  RememberedDeviceService,
  SessionBindingGuard,
  TerminateSessionsService,
  type ActiveSession,
} from '@idp/user-login';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { ApiCaller } from '../../auth/api-auth.guard.js';
import { AdminApi } from '../common/admin-api.decorator.js';
import { ApiPaginatedResponse, CodedDetailResponse } from '../common/api-responses.js';
import { MeResponse, presentUser, presentUserSelf, UserDetailResponse } from './user.response.js';
import {
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Caller } from '../../auth/caller.decorator.js';
import { QueryText } from '../common/dto-rules.js';
import { PageQuery, pageOf, paginated } from '../common/pagination.js';
import { PkParam } from '../common/params.js';
import { SetPasswordDto, UserCreateDto, UserUpdateDto } from './user.dto.js';

export class UserListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the username, name or e-mail.' })
  @QueryText()
  search?: string;
}

/** Entity fields from a user body. */
function userFields(body: UserUpdateDto): Partial<User> {
  const fields: Partial<User> = {
    username: body.username,
    name: body.name,
    email: body.email,
    isActive: body.is_active,
    isSuperuser: body.is_superuser,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** `/api/v3/core/users/`: the signed-in user, and user management for admins. */
@Controller('api/v3/core/users')
@ApiTags('users')
export class UsersController {
  constructor(
    private readonly users: UserRepository,
    private readonly events: EventService,
    private readonly terminator: TerminateSessionsService,
    private readonly rememberedDevices: RememberedDeviceService,
  ) {}

  @Get('me')
  @UseGuards(SessionBindingGuard)
  @ApiCookieAuth()
  @ApiOkResponse({ type: MeResponse })
  @ApiUnauthorizedResponse({ type: CodedDetailResponse, description: 'No session, or its binding broke.' })
  me(@CurrentSession() current: ActiveSession) {
    return { user: presentUserSelf(current.user), users: [] };
  }

  @Get()
  @AdminApi()
  @ApiPaginatedResponse(UserDetailResponse)
  async list(@Query() query: UserListQuery) {
    const page = pageOf(query);
    const [rows, count] = await this.users.list({ offset: page.offset, limit: page.pageSize, search: query.search });
    return paginated(page, count, rows.map(presentUser));
  }

  @Get(':pk')
  @AdminApi()
  @ApiOkResponse({ type: UserDetailResponse })
  async get(@Param('pk', PkParam) pk: number) {
    return presentUser(await this.find(pk));
  }

  @Post()
  @AdminApi()
  @ApiCreatedResponse({ type: UserDetailResponse })
  async create(@Body() body: UserCreateDto, @Caller() caller: ApiCaller) {
    if (await this.users.findByUsername(body.username))
      throw new BadRequestException({ username: ['A user with that username already exists.'] });
    const user = await this.users.create({
      ...userFields(body),
      password: body.password ? await hashPassword(body.password) : null,
    });
    await this.audit('model_created', caller, user);
    return presentUser(user);
  }

  @Patch(':pk')
  @AdminApi()
  @ApiOkResponse({
    type: UserDetailResponse,
    description: 'Deactivating a user (is_active false) ends their sessions.',
  })
  async update(
    @Param('pk', PkParam) pk: number,
    @Body() body: UserUpdateDto,
    @Caller() caller: ApiCaller,
    @Req() request: HttpRequestLike,
  ) {
    const user = await this.find(pk);
    const { password } = body;
    const fields = userFields(body);
    if (fields.username && fields.username !== user.username && (await this.users.findByUsername(fields.username))) {
      throw new BadRequestException({ username: ['A user with that username already exists.'] });
    }
    await this.users.update(pk, { ...fields, ...(password ? { password: await hashPassword(password) } : {}) });
    // A deactivated user must not keep working sessions; the log says who ended them.
    // Its remembered devices go too: reactivated, it starts again from unknown devices.
    if (fields.isActive === false) {
      await this.terminator.revokeAllOf([pk], { user: caller.user, request });
      await this.rememberedDevices.forgetAll(pk);
    }
    const updated = await this.find(pk);
    await this.audit('model_updated', caller, updated);
    return presentUser(updated);
  }

  @Post(':pk/set_password')
  @AdminApi()
  @ApiNoContentResponse()
  @HttpCode(204)
  async setPassword(@Param('pk', PkParam) pk: number, @Body() body: SetPasswordDto, @Caller() caller: ApiCaller) {
    const user = await this.find(pk);
    await this.users.update(pk, { password: await hashPassword(body.password) });
    await this.audit('password_set', caller, user);
  }

  @Delete(':pk')
  @AdminApi()
  @ApiNoContentResponse({ description: "Ends the user's sessions first, each with a logout event." })
  @HttpCode(204)
  async remove(@Param('pk', PkParam) pk: number, @Caller() caller: ApiCaller, @Req() request: HttpRequestLike) {
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
