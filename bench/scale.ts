import type pg from 'pg';
import type { ServerProcess } from './support/server-process.js';

/** What the scale mode needs from the main run. */
export interface ScaleInput {
  db: pg.Client;
  fastify: ServerProcess;
  cookie: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  smallSameIp: number;
}

export async function runScale(_input: ScaleInput): Promise<{ text: string; json: unknown }> {
  return { text: 'scale mode: not implemented yet', json: null };
}
