/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, coarse enough to say what a request's time is spent on. */
function areaOf(url: string, functionName: string, repo: string): string {
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url === '') return 'native';
  if (url.startsWith('node:')) return 'node internals';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  const path = url.replace(/^file:\/\//, '').replace(`${repo}/`, '');
  // Built apps live in dist/apps, the libraries in dist/libs or (as workspace packages) libs/*/dist.
  const ours = /^(?:dist\/)?(apps\/[^/]+|libs\/[^/]+|bench)\//.exec(path);
  return ours ? `ours: ${ours[1]}` : path;
}

/**
 * The top functions by self time and the time by area, over the samples taken between `fromUs`
 * and `toUs` (V8's clock is the monotonic clock of `process.hrtime`, shared by the processes of
 * one machine, so the runner can say when its load ran).
 */
export function summariseProfile(
  profile: CpuProfile,
  options: { repo: string; top: number; fromUs?: number; toUs?: number },
): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfById = new Map<number, number>();
  let time = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    if ((options.fromUs !== undefined && time < options.fromUs) || (options.toUs !== undefined && time > options.toUs))
      continue;
    selfById.set(profile.samples[i], (selfById.get(profile.samples[i]) ?? 0) + 1);
    total++;
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(`${options.repo}/`, '')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  // Inclusive time of our own functions: a sample counts once for every function of ours on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, count] of selfById) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      if (!areaOf(url, functionName, options.repo).startsWith('ours: ')) continue;
      const key = keyOf(at);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    }
  }
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, count] of selfById) {
    const { functionName, url } = byId.get(id)!.callFrame;
    const key = keyOf(id);
    byFunction.set(key, (byFunction.get(key) ?? 0) + count);
    const area = areaOf(url, functionName, options.repo);
    byArea.set(area, (byArea.get(area) ?? 0) + count);
  }
  const percent = (count: number) => `${((100 * count) / Math.max(total, 1)).toFixed(1).padStart(5)} %`;
  const lines = [`\n${total} samples in the load window`, '\nby area (self time):'];
  for (const [area, count] of [...byArea].toSorted((a, b) => b[1] - a[1]).slice(0, 20)) {
    lines.push(`  ${percent(count)}  ${area}`);
  }
  lines.push(`\ntop ${options.top} functions (self time):`);
  for (const [key, count] of [...byFunction].toSorted((a, b) => b[1] - a[1]).slice(0, options.top)) {
    lines.push(`  ${percent(count)}  ${key}`);
  }
  lines.push(`\nour functions (inclusive time, top ${options.top}):`);
  for (const [key, count] of [...inclusive].toSorted((a, b) => b[1] - a[1]).slice(0, options.top)) {
    lines.push(`  ${percent(count)}  ${key}`);
  }
  return lines.join('\n');
}
