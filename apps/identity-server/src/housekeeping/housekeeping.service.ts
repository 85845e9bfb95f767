import { CLOCK, EventRepository, type Clock } from '@idp/core';
import { FLOWS_OPTIONS, FlowExecutionRepository, LoginAttemptRepository, type FlowsOptions } from '@idp/flows';
import { RememberedDeviceService, SessionsService } from '@idp/user-login';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';

/** Rows deleted by one {@link HousekeepingService.runOnce}, per table. */
export interface HousekeepingReport {
  sessions: number;
  events: number;
  flowExecutions: number;
  loginAttempts: number;
  devices: number;
}

/** How often the job runs: every five minutes. */
export const HOUSEKEEPING_INTERVAL_MS = 5 * 60_000;
// Each DELETE takes at most this many rows, so no statement holds many row locks for long.
const BATCH_SIZE = 1000;
// What one run may delete per table; a bigger backlog is finished by the next runs.
const MAX_BATCHES_PER_RUN = 50;

/**
 * Deletes what has expired: sessions past their `expires` or their idle timeout, events past their
 * retention (`EVENT_RETENTION`, stored on each event as `expires`), abandoned flow states, and
 * sign-in attempts older than the throttle's window. Every
 * statement is a small `FOR UPDATE SKIP LOCKED` batch in its own transaction, so the job never
 * waits for or blocks a login, and replicas running it at once share the work.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);
  private running: Promise<HousekeepingReport> | null = null;

  constructor(
    private readonly sessions: SessionsService,
    private readonly events: EventRepository,
    private readonly flowExecutions: FlowExecutionRepository,
    private readonly loginAttempts: LoginAttemptRepository,
    private readonly devices: RememberedDeviceService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FLOWS_OPTIONS) private readonly flowsOptions: FlowsOptions,
  ) {}

  /** The timer's entry point; errors are logged, never thrown into the scheduler. */
  @Interval('housekeeping', HOUSEKEEPING_INTERVAL_MS)
  async scheduled(): Promise<void> {
    try {
      await this.runOnce();
    } catch (error) {
      // A failed run (e.g. the database restarting) is retried by the next tick.
      this.logger.error(`Housekeeping failed: ${(error as Error).message}`);
    }
  }

  /** Runs the clean-up now and reports what it deleted; a run already in progress is joined, not repeated. */
  runOnce(): Promise<HousekeepingReport> {
    this.running ??= this.sweep().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sweep(): Promise<HousekeepingReport> {
    const now = this.clock.now();
    const report: HousekeepingReport = {
      sessions:
        (await this.drain((limit) => this.sessions.deleteExpired(now, limit))) +
        (await this.drain((limit) => this.sessions.deleteIdleExpired(now, limit))),
      events: await this.drain((limit) => this.events.deleteExpired(now, limit)),
      flowExecutions: await this.drain((limit) => this.flowExecutions.deleteExpired(now, limit)),
      // Attempts that left the throttle's window no longer count for anything.
      loginAttempts: await this.drain((limit) =>
        this.loginAttempts.deleteOlderThan(new Date(now.getTime() - this.flowsOptions.loginThrottle.windowMs), limit),
      ),
      devices: await this.drain((limit) => this.devices.deleteExpired(now, limit)),
    };
    if (report.sessions + report.events + report.flowExecutions + report.loginAttempts + report.devices > 0) {
      this.logger.log(
        `Housekeeping deleted ${report.sessions} expired sessions, ${report.events} expired events, ${report.flowExecutions} expired flow executions, ${report.loginAttempts} old sign-in attempts, ${report.devices} expired devices`,
      );
    }
    return report;
  }

  /** Deletes batch after batch until one comes back short or the per-run cap is reached. */
  private async drain(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch += 1) {
      const deleted = await deleteBatch(BATCH_SIZE);
      total += deleted;
      if (deleted < BATCH_SIZE) return total;
    }
    this.logger.warn(
      `Housekeeping reached its cap of ${MAX_BATCHES_PER_RUN * BATCH_SIZE} rows for one table; the next run continues`,
    );
    return total;
  }
}
