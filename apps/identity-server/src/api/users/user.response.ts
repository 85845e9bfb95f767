import { toPublicUser, type User } from '@idp/core';
import { ApiProperty } from '@nestjs/swagger';

/** A user as the API shows it (never the password). */
export class UserResponse {
  @ApiProperty({ type: 'integer' }) pk: number;
  @ApiProperty() username: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() is_active: boolean;
  @ApiProperty() is_superuser: boolean;
}

/**
 * A user as the admin users API shows it: the public fields and authentik's `User` fields this
 * server has. No groups, roles or avatars exist here: those read as empty.
 */
export class UserDetailResponse extends UserResponse {
  @ApiProperty({ format: 'uuid' }) uuid: string;
  @ApiProperty({ description: 'A stable opaque id of the user: its uuid.' }) uid: string;
  @ApiProperty({ format: 'date-time' }) date_joined: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_login: Date | null;
  @ApiProperty({ format: 'date-time', description: 'The last change made through the API (a sign-in is none).' })
  last_updated: Date;
  @ApiProperty({ format: 'date-time', description: 'When the password was last set.' })
  password_change_date: Date;
  @ApiProperty({ description: 'Always empty: no avatars here.' }) avatar: string;
  @ApiProperty({ type: [String], description: 'Always empty: no groups here.' }) groups: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Always empty: no groups here.' })
  groups_obj: never[];
  @ApiProperty({ type: [String], description: 'Always empty: no roles here.' }) roles: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Always empty: no roles here.' })
  roles_obj: never[];
}

/** A user for the admin users API (never the password). */
export function presentUser(user: User): UserDetailResponse {
  return {
    ...toPublicUser(user),
    uuid: user.uuid,
    uid: user.uuid,
    date_joined: user.dateJoined,
    last_login: user.lastLogin ?? null,
    last_updated: user.lastUpdated,
    password_change_date: user.passwordChangeDate,
    avatar: '',
    groups: [],
    groups_obj: [],
    roles: [],
    roles_obj: [],
  };
}

/**
 * The signed-in user as authentik's `UserSelf` shows it. This server has no groups, roles,
 * per-user settings, permission strings or avatars: those read as empty, honestly.
 */
export class UserSelfResponse extends UserResponse {
  @ApiProperty({ description: 'Whether this user owns the session the request came with (always, here).' })
  is_current: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Always empty: no groups here.' })
  groups: never[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Always empty: no roles here.' })
  roles: never[];
  @ApiProperty({ description: "Always empty: no avatars here (as the flow's pending_user_avatar)." })
  avatar: string;
  @ApiProperty({ description: 'A stable opaque id of the user: its uuid.' })
  uid: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Always {}: no user settings here.' })
  settings: Record<string, never>;
  @ApiProperty({ type: [String], description: 'Always empty: superusers are the only admins here.' })
  system_permissions: string[];
}

/** `GET /api/v3/core/users/me/`: authentik's `SessionUser` (no impersonation here: `users` is empty). */
export class MeResponse {
  @ApiProperty({ type: UserSelfResponse }) user: UserSelfResponse;
  @ApiProperty({ type: [UserSelfResponse], description: 'Always empty: no impersonation here.' })
  users: UserSelfResponse[];
}

/** `user` of users/me: the public fields, then authentik's `UserSelf` ones. */
export function presentUserSelf(user: User): UserSelfResponse {
  // Spelled out rather than `{ ...toPublicUser(user), is_current: ... }` (same keys, same order):
  // on Node 20 an object spread followed by more literal keys takes a slow path, about 15 us per
  // call here, on every users/me request (docs/performance.md, the profiles).
  const base = toPublicUser(user);
  return {
    pk: base.pk,
    username: base.username,
    name: base.name,
    email: base.email,
    is_active: base.is_active,
    is_superuser: base.is_superuser,
    is_current: true,
    groups: [],
    roles: [],
    avatar: '',
    uid: user.uuid,
    settings: {},
    system_permissions: [],
  };
}
