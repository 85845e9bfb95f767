import type { PromptField } from '@idp/flows';

/** One stage of a default flow: its name, type and typed settings row. */
export interface DefaultStage {
  name: string;
  type: string;
  /** Table holding the type's settings, and its non-default columns. */
  settings?: { table: string; values: Record<string, unknown> };
}

export interface DefaultFlow {
  slug: string;
  name: string;
  title: string;
  designation: 'authentication' | 'enrollment' | 'invalidation';
  stages: DefaultStage[];
}

const ENROLLMENT_FIELDS: PromptField[] = [
  { field_key: 'username', label: 'Username', type: 'username', required: true, placeholder: 'Username', order: 0 },
  { field_key: 'email', label: 'Email', type: 'email', required: true, placeholder: 'Email', order: 1 },
  { field_key: 'password', label: 'Password', type: 'password', required: true, placeholder: 'Password', order: 2 },
  {
    field_key: 'password_repeat',
    label: 'Password (repeat)',
    type: 'password',
    required: true,
    placeholder: 'Password (repeat)',
    order: 3,
  },
];

/** The flows created on first start (names are part of the contract, see docs/api.md). */
export const DEFAULT_FLOWS: DefaultFlow[] = [
  {
    slug: 'default-authentication-flow',
    name: 'Default authentication flow',
    title: 'Welcome! Please sign in.',
    designation: 'authentication',
    stages: [
      {
        name: 'default-authentication-identification',
        type: 'identification',
        settings: { table: 'identification_stages', values: { enrollment_flow_slug: 'default-enrollment-flow' } },
      },
      { name: 'default-authentication-password', type: 'password', settings: { table: 'password_stages', values: {} } },
      {
        name: 'default-authentication-login',
        type: 'user_login',
        settings: { table: 'user_login_stages', values: {} },
      },
    ],
  },
  {
    slug: 'default-enrollment-flow',
    name: 'Default enrollment flow',
    title: 'Create your account',
    designation: 'enrollment',
    stages: [
      {
        name: 'default-enrollment-prompt',
        type: 'prompt',
        settings: { table: 'prompt_stages', values: { fields: JSON.stringify(ENROLLMENT_FIELDS) } },
      },
      {
        name: 'default-enrollment-user-write',
        type: 'user_write',
        settings: { table: 'user_write_stages', values: {} },
      },
      { name: 'default-enrollment-login', type: 'user_login', settings: { table: 'user_login_stages', values: {} } },
    ],
  },
  {
    slug: 'default-invalidation-flow',
    name: 'Default invalidation flow',
    title: 'Signing out',
    designation: 'invalidation',
    stages: [{ name: 'default-invalidation-logout', type: 'user_logout' }],
  },
];
