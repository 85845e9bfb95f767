import { existsSync, readFileSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; Linux reports USER_HZ = 100 to user space.
const TICK_US = 10_000;
const HAS_PROC = existsSync('/proc/self/stat');

/**
 * CPU time (user + system, all threads) the processes `pids` have used so far, in µs, read from
 * /proc (10 ms resolution); processes that are gone count 0. Null without /proc (not Linux).
 *
 * Why the benchmark reads it: on a shared machine, requests per second move with everyone
 * else's load, but the CPU one request costs the server and the database moves far less.
 */
export function cpuMicros(pids: readonly number[]): Map<number, number> | null {
  if (!HAS_PROC) return null;
  const used = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    used.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_US); // utime and stime (fields 14 and 15)
  }
  return used;
}

/**
 * The CPU µs used between two readings of {@link cpuMicros}: a process that started in between
 * counts in full (a pool may open connections during a round), one that ended is left out.
 */
export function cpuUsedBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, now] of after) total += now - (before.get(pid) ?? 0);
  return total;
}

/** Whether `pid` is a local process named `name` (so a remote server's pid is never read as ours). */
export function isLocalProcess(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
  } catch {
    return false;
  }
}
