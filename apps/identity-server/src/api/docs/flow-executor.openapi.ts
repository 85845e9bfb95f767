import type { PathsObject, SchemaObject } from '@nestjs/swagger';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A challenge of one component: `component` fixed, plus its own fields, plus what every challenge has. */
function challenge(component: string, properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject {
  return {
    type: 'object',
    required: ['component', 'flow_info', ...required],
    properties: {
      component: { type: 'string', enum: [component] },
      flow_info: ref('FlowInfo'),
      response_errors: ref('ChallengeResponseErrors'),
      ...properties,
    },
  };
}

/** The executor's challenges, by the `component` the stages send (authentik's names). */
export const CHALLENGE_COMPONENTS = {
  IdentificationChallenge: challenge(
    'ak-stage-identification',
    {
      user_fields: { type: 'array', items: { type: 'string', enum: ['username', 'email'] } },
      enroll_url: { type: 'string', description: 'The sign-up flow, when the stage offers one.' },
    },
    ['user_fields'],
  ),
  PasswordChallenge: challenge('ak-stage-password', {
    pending_user: { type: 'string' },
    pending_user_avatar: { type: 'string' },
  }),
  PromptChallenge: challenge(
    'ak-stage-prompt',
    {
      fields: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            field_key: { type: 'string' },
            label: { type: 'string' },
            type: { type: 'string', enum: ['text', 'username', 'email', 'password', 'checkbox'] },
            required: { type: 'boolean' },
            placeholder: { type: 'string' },
            order: { type: 'integer' },
          },
        },
      },
    },
    ['fields'],
  ),
  UserLoginChallenge: challenge('ak-stage-user-login', {
    pending_user: { type: 'string', description: '"Stay signed in?" is asked of this user.' },
    pending_user_avatar: { type: 'string' },
  }),
  AccessDeniedChallenge: challenge('ak-stage-access-denied', { error_message: { type: 'string' } }, ['error_message']),
  RedirectChallenge: challenge('xak-flow-redirect', { to: { type: 'string', description: 'A same-origin path.' } }, [
    'to',
  ]),
} satisfies Record<string, SchemaObject>;

/** An answer to one component's challenge (authentik's `…ChallengeResponseRequest` names). */
function answer(component: string, properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject {
  return {
    type: 'object',
    required: ['component', ...required],
    properties: { component: { type: 'string', enum: [component] }, ...properties },
  };
}

/** What the executor takes as answers, by component. */
export const ANSWER_COMPONENTS = {
  IdentificationChallengeResponseRequest: answer('ak-stage-identification', { uid_field: { type: 'string' } }, [
    'uid_field',
  ]),
  PasswordChallengeResponseRequest: answer('ak-stage-password', { password: { type: 'string' } }, ['password']),
  PromptChallengeResponseRequest: {
    ...answer('ak-stage-prompt', {}),
    additionalProperties: true,
    description: "The prompt's answers keyed by field_key.",
  },
  UserLoginChallengeResponseRequest: answer(
    'ak-stage-user-login',
    { remember_me: { type: 'boolean', description: 'The answer to "Stay signed in?".' } },
    ['remember_me'],
  ),
} satisfies Record<string, SchemaObject>;

export const CHALLENGE_SCHEMAS: Record<string, SchemaObject> = {
  FlowInfo: {
    type: 'object',
    required: ['cancel_url', 'layout'],
    properties: {
      title: { type: 'string' },
      slug: { type: 'string' },
      designation: { type: 'string', enum: ['authentication', 'enrollment', 'invalidation'] },
      cancel_url: { type: 'string', description: 'The executor URL: a DELETE there abandons the walk.' },
      layout: {
        type: 'string',
        enum: [
          'stacked',
          'content_left',
          'content_right',
          'sidebar_left',
          'sidebar_right',
          'sidebar_left_frame_background',
          'sidebar_right_frame_background',
        ],
        description: "authentik's layouts; this server's flow page is always stacked.",
      },
      background: { type: 'string', description: 'Always empty: no background images here.' },
      background_themed_urls: {
        type: 'object',
        nullable: true,
        properties: { light: { type: 'string', nullable: true }, dark: { type: 'string', nullable: true } },
        description: 'Always null.',
      },
    },
  },
  ChallengeResponseErrors: {
    type: 'object',
    description:
      'Problems with the last answer, next to the fields, e.g. {"password": [{"string": "Invalid password", "code": "invalid"}]}.',
    additionalProperties: {
      type: 'array',
      items: { type: 'object', properties: { string: { type: 'string' }, code: { type: 'string' } } },
    },
  },
  ...CHALLENGE_COMPONENTS,
  Challenge: {
    oneOf: Object.keys(CHALLENGE_COMPONENTS).map(ref),
    discriminator: {
      propertyName: 'component',
      mapping: Object.fromEntries(
        Object.entries(CHALLENGE_COMPONENTS).map(([name, schema]) => [
          (schema.properties!.component as SchemaObject).enum![0] as string,
          `#/components/schemas/${name}`,
        ]),
      ),
    },
  },
  ...ANSWER_COMPONENTS,
  ChallengeAnswer: {
    description:
      'The answer to the current challenge: uid_field (identification), password, the prompt field keys, or remember_me (user login).',
    oneOf: Object.keys(ANSWER_COMPONENTS).map(ref),
    discriminator: {
      propertyName: 'component',
      mapping: Object.fromEntries(
        Object.entries(ANSWER_COMPONENTS).map(([name, schema]) => [
          (schema.properties!.component as SchemaObject).enum![0] as string,
          `#/components/schemas/${name}`,
        ]),
      ),
    },
    example: { component: 'ak-stage-identification', uid_field: 'akadmin' },
  },
};

const slug = { name: 'slug', in: 'path' as const, required: true, schema: { type: 'string' as const } };
const challengeResponse = {
  description: 'The current challenge.',
  content: { 'application/json': { schema: ref('Challenge') } },
};

/** `/api/v3/flows/executor/{slug}/`: GET the challenge, POST the answer, DELETE to start over. */
export const EXECUTOR_PATHS: PathsObject = {
  '/api/v3/flows/executor/{slug}/': {
    get: {
      operationId: 'FlowExecutor_show',
      tags: ['flows'],
      summary: 'The current challenge of this browser in the flow (flow state under the idp_flow cookie).',
      parameters: [slug, { name: 'next', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { '200': challengeResponse, '404': { description: 'No such flow.' } },
    },
    post: {
      operationId: 'FlowExecutor_answer',
      tags: ['flows'],
      parameters: [slug],
      requestBody: { required: true, content: { 'application/json': { schema: ref('ChallengeAnswer') } } },
      responses: {
        '200': challengeResponse,
        '400': {
          description: 'The body is not a JSON object.',
          content: { 'application/json': { schema: ref('FieldErrors') } },
        },
        '404': { description: 'No such flow.' },
      },
    },
    delete: {
      operationId: 'FlowExecutor_cancel',
      tags: ['flows'],
      summary: 'Abandons the walk ("Not you?"); the next GET starts the flow over.',
      parameters: [slug],
      responses: { '204': { description: 'Abandoned.' } },
    },
  },
};
