import {
  CLOCK,
  hashToken,
  newToken,
  userAgent,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
} from '@idp/core';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Device } from '../persistence/device.entity.js';
import { DeviceRepository } from '../persistence/device.repository.js';
import { SessionRepository } from '../persistence/session.repository.js';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from '../user-login-options.interface.js';
import { DEVICE_COOKIE, readDeviceCookie, writeDeviceCookie } from './device-cookies.js';

/** The verdict on the browser a login comes from. */
export interface DeviceRecognition {
  /** Carries this user's unexpired device cookie, or the user has another live session from this IP. */
  known: boolean;
  /** The remembered device the cookie named, to renew. */
  device: Device | null;
  /** That cookie's token (only when `device` is set), so renewing keeps the same value. */
  token: string | null;
}

/**
 * authentik's "remember device": a login is from a known device when the browser carries the
 * device cookie issued to that same user, or when the user already has a live session from the
 * client IP. The `login` event says which (`known_device`), so operators can alert on new ones.
 */
@Injectable()
export class RememberedDeviceService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly sessions: SessionRepository,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
  ) {}

  /** Call before the new session exists (it would otherwise count as "another session from this IP"). */
  async recognise(request: HttpRequestLike, userPk: number, ip: string): Promise<DeviceRecognition> {
    const now = this.clock.now();
    const token = readDeviceCookie(DEVICE_COOKIE, { request, secureMode: this.options.cookieSecure });
    // A token is 43 base64url characters; anything else cannot match and skips the query.
    const device = token && token.length <= 128 ? await this.devices.findLive(hashToken(token), userPk, now) : null;
    if (device) return { known: true, device, token: token! };
    return { known: await this.sessions.userHasLiveSessionFrom(userPk, ip, now), device: null, token: null };
  }

  /** Sets the device cookie for `rememberMs`, renewing the recognised device or issuing a new one. */
  async remember(
    request: HttpRequestLike,
    response: HttpResponseLike,
    userPk: number,
    recognition: DeviceRecognition,
    rememberMs: number,
  ): Promise<void> {
    if (rememberMs <= 0) return;
    const now = this.clock.now();
    const expires = new Date(now.getTime() + rememberMs);
    let token = recognition.token;
    if (recognition.device && token) {
      await this.devices.renew(recognition.device.uuid, { lastUsed: now, expires, userAgent: userAgent(request) });
    } else {
      // A new device token even when the browser carried another user's: devices are per user.
      token = newToken();
      await this.devices.insert({
        tokenHash: hashToken(token),
        userPk,
        created: now,
        lastUsed: now,
        expires,
        userAgent: userAgent(request),
      });
    }
    const adapter = this.adapterHost.httpAdapter;
    writeDeviceCookie(
      (res, name, value) => adapter.setHeader(res, name, value as string),
      response,
      DEVICE_COOKIE,
      token,
      Math.max(1, Math.ceil(rememberMs / 1000)),
      { request, secureMode: this.options.cookieSecure, now },
    );
  }

  /** Forgets every device of the user, e.g. when the user is deactivated; returns how many. */
  forgetAll(userPk: number): Promise<number> {
    return this.devices.deleteAllOfUser(userPk);
  }

  /** Deletes up to `batchSize` expired devices (housekeeping). */
  deleteExpired(now: Date, batchSize: number): Promise<number> {
    return this.devices.deleteExpired(now, batchSize);
  }
}
