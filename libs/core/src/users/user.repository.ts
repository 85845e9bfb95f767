import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { User } from './user.entity.js';
import { isSqlInteger, pageWindow } from '../database/sql-integers.js';

/** The only place that queries the users table. */
@Injectable()
export class UserRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findByPk(pk: number): Promise<User | null> {
    // A pk no integer column can hold names no row; PostgreSQL would answer it with an error.
    if (!isSqlInteger(pk)) return Promise.resolve(null);
    return this.users.findOneBy({ pk });
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username });
  }

  /** Looks a user up by username, or by e-mail when the identifier holds an `@`. */
  async findByIdentifier(identifier: string, fields: readonly string[]): Promise<User | null> {
    if (fields.includes('username')) {
      const user = await this.findByUsername(identifier);
      if (user) return user;
    }
    if (fields.includes('email') && identifier.includes('@')) {
      return this.users.findOne({ where: { email: identifier }, order: { pk: 'ASC' } });
    }
    return null;
  }

  async passwordHashOf(pk: number): Promise<string | null> {
    if (!isSqlInteger(pk)) return null;
    const row = await this.users.findOne({ where: { pk }, select: { pk: true, password: true } });
    return row?.password ?? null;
  }

  /** Creates the user and reads it back, with the dates the database gave it. */
  async create(fields: Partial<User>): Promise<User> {
    const saved = await this.users.save(this.users.create(fields));
    return this.users.findOneByOrFail({ pk: saved.pk });
  }

  /** Changes the user; `last_updated` moves, and `password_change_date` when the password is set. */
  async update(pk: number, fields: Partial<User>): Promise<void> {
    await this.users.update(
      { pk },
      {
        ...fields,
        lastUpdated: () => 'now()',
        ...(fields.password !== undefined ? { passwordChangeDate: () => 'now()' } : {}),
      },
    );
  }

  async delete(pk: number): Promise<boolean> {
    const result = await this.users.delete({ pk });
    return (result.affected ?? 0) > 0;
  }

  list(options: { offset: number; limit: number; search?: string }): Promise<[User[], number]> {
    const query = this.users
      .createQueryBuilder('u')
      .orderBy('u.pk', 'ASC')
      .skip(pageWindow({ offset: options.offset, limit: options.limit }).offset)
      .take(options.limit);
    if (options.search) {
      query.where('u.username ILIKE :s OR u.email ILIKE :s OR u.name ILIKE :s', { s: `%${options.search}%` });
    }
    return query.getManyAndCount();
  }

  async markLoggedIn(pk: number, at: Date, manager?: EntityManager): Promise<void> {
    await (manager?.getRepository(User) ?? this.users).update({ pk }, { lastLogin: at });
  }
}
