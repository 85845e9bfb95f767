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

/** `GET /api/v3/core/users/me/`. */
export class MeResponse {
  @ApiProperty({ type: UserResponse }) user: UserResponse;
}
