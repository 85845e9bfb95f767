import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Device } from './device.entity.js';

/** The only place that queries the devices table. */
@Injectable()
export class DeviceRepository {
  constructor(@InjectRepository(Device) private readonly devices: Repository<Device>) {}

  /** The user's unexpired device whose cookie token hashes to `tokenHash`. */
  findLive(tokenHash: string, userPk: number, now: Date): Promise<Device | null> {
    return this.devices
      .createQueryBuilder('d')
      .where('d.token_hash = :tokenHash AND d.user_pk = :userPk AND d.expires > :now', { tokenHash, userPk, now })
      .getOne();
  }

  insert(fields: Omit<Device, 'uuid' | 'user'>): Promise<Device> {
    return this.devices.save(this.devices.create(fields));
  }

  async renew(uuid: string, fields: Pick<Device, 'lastUsed' | 'expires' | 'userAgent'>): Promise<void> {
    await this.devices.update({ uuid }, fields);
  }

  /** Forgets every device of the user (deactivation); returns how many. */
  async deleteAllOfUser(userPk: number): Promise<number> {
    const result = await this.devices.delete({ userPk });
    return result.affected ?? 0;
  }

  /** Deletes up to `batchSize` expired devices; small batches keep locks short. */
  async deleteExpired(now: Date, batchSize: number): Promise<number> {
    const result = await this.devices.query(
      `DELETE FROM devices WHERE uuid IN
         (SELECT uuid FROM devices WHERE expires <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING uuid`,
      [now, batchSize],
    );
    return (Array.isArray(result[0]) ? result[0] : result).length;
  }
}
