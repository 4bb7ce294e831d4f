// Reads a V8 .cpuprofile (node --cpu-prof) and lists the functions with the most self time, and the
// files with the most self time: enough to see where a process spends its CPU without a GUI.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Frame { name: string; where: string; selfMs: number; share: number }

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/src\//, 'src/');

export function topFrames(file: string, limit = 25): { totalMs: number; frames: Frame[]; files: Frame[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const frames = new Map<string, Frame>();
  const files = new Map<string, Frame>();
  for (const [id, ms] of self) {
    const { callFrame: f } = byId.get(id)!;
    const where = f.url ? `${short(f.url)}:${f.lineNumber + 1}` : '';
    const name = f.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    const fr = frames.get(key) ?? { name, where, selfMs: 0, share: 0 };
    fr.selfMs += ms;
    frames.set(key, fr);
    const fileKey = f.url ? short(f.url) : name;
    const fi = files.get(fileKey) ?? { name: fileKey, where: '', selfMs: 0, share: 0 };
    fi.selfMs += ms;
    files.set(fileKey, fi);
  }
  const rank = (m: Map<string, Frame>) => [...m.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, limit)
    .map((f) => ({ ...f, share: totalMs ? f.selfMs / totalMs : 0 }));
  return { totalMs, frames: rank(frames), files: rank(files) };
}

/** Inclusive time (the function anywhere on the stack) of every function whose name matches. */
export function inclusive(file: string, pattern: RegExp, limit = 25): Frame[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, Frame>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!pattern.test(f.functionName)) continue;
      const key = `${f.functionName} ${short(f.url)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const fr = totals.get(key) ?? { name: f.functionName, where: short(f.url), selfMs: 0, share: 0 };
      fr.selfMs += ms;
      totals.set(key, fr);
    }
  }
  return [...totals.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, limit).map((f) => ({ ...f, share: total ? f.selfMs / total : 0 }));
}

export function formatTopFrames(file: string, limit = 20): string {
  const { totalMs, frames, files } = topFrames(file, limit);
  const line = (f: Frame) => `  ${(f.share * 100).toFixed(1).padStart(5)}% ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}${f.where ? `  ${f.where}` : ''}`;
  return [`${file}: ${(totalMs / 1000).toFixed(1)} s sampled`, ' top functions (self time):', ...frames.map(line),
    ' top files (self time):', ...files.slice(0, 12).map(line)].join('\n');
}

// `node --import tsx src/bench/cpu-profile.ts <file.cpuprofile> [limit] [inclusive-name-regexp]`
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const [file, limit, pattern] = process.argv.slice(2);
  if (pattern) {
    for (const f of inclusive(file!, new RegExp(pattern), Number(limit ?? 25))) {
      console.log(`  ${(f.share * 100).toFixed(1).padStart(5)}% ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`);
    }
  } else console.log(formatTopFrames(file!, Number(limit ?? 25)));
}
