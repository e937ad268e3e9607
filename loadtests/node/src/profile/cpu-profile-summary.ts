/** The parts of a V8 `.cpuprofile` (node --cpu-prof) this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  /** Share of the non-idle time. */
  percent: number;
}

export interface ProfileSummary {
  /** Wall time covered by the profile. */
  totalMs: number;
  /** Time not idle (busy on the CPU, GC included). */
  busyMs: number;
  functions: ProfileEntry[];
  packages: ProfileEntry[];
  /** Self time + time of everything they call, for the functions with the most inclusive time. */
  inclusive: ProfileEntry[];
}

/** Self time by function and by package, and inclusive time of the heaviest frames. */
export function summarizeCpuProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const self = new Map<number, number>();
  profile.samples.forEach((nodeId, index) => {
    self.set(nodeId, (self.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const isIdle = (id: number) => byId.get(id)?.callFrame.functionName === '(idle)';
  let busyMs = 0;
  for (const [id, value] of self) if (!isIdle(id)) busyMs += value;

  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const [id, value] of self) {
    if (isIdle(id)) continue;
    const frame = byId.get(id)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + value);
    const group = packageOf(frame.url, frame.functionName);
    packages.set(group, (packages.get(group) ?? 0) + value);
  }

  // Inclusive time: each node's self time plus its subtree's, attributed once per frame key per path.
  const inclusive = new Map<string, number>();
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  for (const [id, value] of self) {
    if (isIdle(id)) continue;
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const frame = byId.get(current)!.callFrame;
      if (!frame.url) continue;
      const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + value);
    }
  }

  const ranked = (entries: Map<string, number>) =>
    [...entries.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, selfMs]) => ({ name, selfMs: Math.round(selfMs), percent: Math.round((selfMs / Math.max(busyMs, 1)) * 1000) / 10 }));
  return {
    totalMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busyMs),
    functions: ranked(functions),
    packages: ranked(packages),
    inclusive: ranked(inclusive),
  };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const repo = /(services|packages|tools|loadtests)\/.*$/.exec(url);
  if (repo) return repo[0];
  return url.replace(/^file:\/\//, '');
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/V8 builtins)';
  if (url.startsWith('node:')) return 'node core';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/')));
  if (modules) return modules[1]!;
  const repo = /(services|packages|tools|loadtests)\/[^/]+/.exec(url);
  return repo ? repo[0] : url;
}
