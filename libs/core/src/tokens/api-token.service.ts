import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CLOCK, type Clock } from '../clock.js';
import type { User } from '../users/user.entity.js';
import { ApiToken } from './api-token.entity.js';
import { hashToken } from './token-hash.js';

/** Creates API tokens and resolves a bearer key to its user. */
@Injectable()
export class ApiTokenService {
  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(identifier: string, key: string, user: User): Promise<void> {
    await this.tokens.save(this.tokens.create({ identifier, keyHash: hashToken(key), user, expires: null }));
  }

  exists(identifier: string): Promise<boolean> {
    return this.tokens.existsBy({ identifier });
  }

  /** The active user behind a bearer key, or null for an unknown, expired or orphaned key. */
  async userFor(key: string): Promise<User | null> {
    const token = await this.tokens.findOne({ where: { keyHash: hashToken(key) } });
    if (!token || (token.expires && token.expires <= this.clock.now())) return null;
    return token.user.isActive ? token.user : null;
  }
}
