import type { LoadResult } from './load.js';

/** One row of the table: the median of its rounds. */
export interface Row {
  id: string;
  label: string;
  unit: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** Median CPU µs per request of the answering server process and of the database's backends. */
  serverCpuUs: number | null;
  databaseCpuUs: number | null;
  clientCpuUs: number | null;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.toSorted((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median of each figure over the rounds (failures are summed). */
export function summarise(rounds: LoadResult[]): Omit<Row, 'id' | 'label' | 'unit'> {
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    serverCpuUs: medianOrNull(rounds.map((r) => r.cpuPerRequestUs?.server)),
    databaseCpuUs: medianOrNull(rounds.map((r) => r.cpuPerRequestUs?.database)),
    clientCpuUs: medianOrNull(rounds.map((r) => r.cpuPerRequestUs?.client)),
  };
}

function medianOrNull(values: Array<number | null | undefined>): number | null {
  const known = values.filter((value): value is number => value != null);
  return known.length === 0 ? null : median(known);
}

/** The issue's targets: [name, numerator row, denominator row, at least]. */
const TARGETS: Array<[string, string, string, number]> = [
  ['ours same IP (Fastify) / baseline', 'same_ip', 'baseline', 10],
  ['ours same IP (Fastify) / ceiling', 'same_ip', 'ceiling', 0.5],
  ['ours same IP (Express) / baseline', 'same_ip_express', 'baseline', 2],
  ['ours moving IP / ours same IP (Fastify)', 'moving_ip', 'same_ip', 0.9],
  ['ceiling with the moving-IP requests / ceiling (client-side control)', 'ceiling_moving', 'ceiling', 0],
  ['ours same IP (Express) / Express ceiling', 'same_ip_express', 'express_ceiling', 0],
  ['ours same IP: cache on / cache off', 'same_ip', 'same_ip_nocache', 0],
  ['login (ours) / baseline login', 'login', 'baseline_login', 0],
];

function cpuCost(row: Row): number | null {
  return row.serverCpuUs === null || row.databaseCpuUs === null ? null : row.serverCpuUs + row.databaseCpuUs || null;
}

const micros = (value: number | null) => (value === null ? '-' : `${number(value)} µs`);
const number = (value: number) => Math.round(value).toLocaleString('en-US');

/** The markdown table, the ratio lines, and the ratios as data. */
export function formatTable(rows: Row[]): {
  table: string;
  ratios: string;
  ratioValues: Record<string, number>;
  cpuRatioValues: Record<string, number>;
} {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const lines = [
    '| what | throughput | p50 | p99 | failures | CPU/request: server | database |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${number(row.requestsPerSecond)} ${row.unit} | ${row.p50Ms} ms | ${row.p99Ms} ms | ${row.failures} | ${micros(row.serverCpuUs)} | ${micros(row.databaseCpuUs)} |`,
    ),
  ];
  const ratioValues: Record<string, number> = {};
  // The same ratio from the CPU a request costs (server + database): the inverse ratio of costs,
  // which a busy machine disturbs far less than the rates.
  const cpuRatioValues: Record<string, number> = {};
  const ratioLines = ['| ratio | value | by CPU/request (server + database) | target |', '|---|---:|---:|---|'];
  for (const [name, top, bottom, target] of TARGETS) {
    const a = byId.get(top);
    const b = byId.get(bottom);
    if (!a || !b || b.requestsPerSecond === 0) continue;
    const value = a.requestsPerSecond / b.requestsPerSecond;
    ratioValues[name] = Number(value.toFixed(3));
    const costA = cpuCost(a);
    const costB = cpuCost(b);
    const byCpu = costA && costB ? costB / costA : null;
    if (byCpu !== null) cpuRatioValues[name] = Number(byCpu.toFixed(3));
    const verdict = target > 0 ? `>= ${target}x ${value >= target ? 'met' : 'NOT met'}` : '(information)';
    ratioLines.push(
      `| ${name} | ${value.toFixed(2)}x | ${byCpu === null ? '-' : `${byCpu.toFixed(2)}x`} | ${verdict} |`,
    );
  }
  return { table: lines.join('\n'), ratios: ratioLines.join('\n'), ratioValues, cpuRatioValues };
}
