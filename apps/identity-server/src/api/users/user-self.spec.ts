import { toPublicUser, User } from '@idp/core';
import { describe, expect, it } from 'vitest';
import { presentUserSelf } from './user.response.js';

describe('presentUserSelf', () => {
  it("answers the public fields, then authentik's UserSelf ones, in that order (the JSON is byte for byte the spread form)", () => {
    const user = Object.assign(new User(), {
      pk: 7,
      uuid: '0b5e3c4a-7d8e-4f00-9a1b-2c3d4e5f6a7b',
      username: 'akadmin',
      name: 'Admin',
      email: 'admin@example.test',
      isActive: true,
      isSuperuser: false,
    });
    const spread = {
      ...toPublicUser(user),
      is_current: true,
      groups: [],
      roles: [],
      avatar: '',
      uid: user.uuid,
      settings: {},
      system_permissions: [],
    };
    expect(JSON.stringify(presentUserSelf(user))).toBe(JSON.stringify(spread));
  });
});
