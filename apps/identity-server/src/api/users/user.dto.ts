import { emailProblem, passwordStrengthProblem, usernameProblem } from '@idp/core';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { IsBool, Required, rule } from '../common/dto-rules.js';

const IsUsername = () =>
  // A non-string reads as empty, which the username rule refuses with the same message.
  rule('username', (value) => usernameProblem(typeof value === 'string' ? value : '')?.message ?? null);

const IsPassword = () =>
  rule('password', (value) =>
    typeof value !== 'string' || value.length === 0
      ? 'This field is required.'
      : (passwordStrengthProblem(value)?.message ?? null),
  );

/** `name` and `email` are free text up to 254 characters; an e-mail, when given, must look like one. */
const IsShortString = () =>
  rule('string', (value) => (typeof value === 'string' && value.length <= 254 ? null : 'Not a valid string.'));

/** `POST /api/v3/core/users/`. */
export class UserCreateDto {
  @ApiProperty({ readOnly: true, type: 'integer', required: false })
  @Allow()
  pk?: number;

  @ApiProperty({ description: 'Letters, digits and @.+-_ (at most 150).' })
  @Required(usernameProblem('')!.message)
  @IsUsername()
  username: string;

  @ApiPropertyOptional({ maxLength: 254 })
  @IsShortString()
  name?: string;

  @ApiPropertyOptional({ maxLength: 254, description: 'Empty, or an e-mail address.' })
  @IsShortString()
  @rule('email', (value) =>
    typeof value === 'string' && value !== '' && emailProblem(value) ? 'Enter a valid email address.' : null,
  )
  email?: string;

  @ApiPropertyOptional()
  @IsBool()
  is_active?: boolean;

  @ApiPropertyOptional()
  @IsBool()
  is_superuser?: boolean;

  @ApiPropertyOptional({ format: 'password', writeOnly: true, description: 'Without one, the user cannot sign in.' })
  @IsPassword()
  password?: string;
}

/** `PATCH /api/v3/core/users/{pk}/`: any of the create fields. */
export class UserUpdateDto extends PartialType(UserCreateDto, { skipNullProperties: false }) {}

/** `POST /api/v3/core/users/{pk}/set_password/`. */
export class SetPasswordDto {
  @ApiProperty({ format: 'password', writeOnly: true })
  @Required()
  @IsPassword()
  password: string;
}
