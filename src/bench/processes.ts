// Child processes of the benchmark (simulator, worker, API, reference), each a separate `node` so that its
// CPU time and peak memory are its own: read from /proc/<pid>/stat (utime + stime) and /proc/<pid>/status
// (VmHWM, the kernel's high-water mark of resident memory). Every process started here is stopped by its
// own pid at the end, never by name.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcStats {
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  /** Peak resident set (VmHWM), MiB. */
  peakRssMiB: number;
  /** Resident set now, MiB. */
  rssMiB: number;
}

/** CPU and memory of a running process (Linux /proc). */
export function procStats(pid: number): ProcStats {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: (utime + stime) / ticksPerSecond(), peakRssMiB: kb('VmHWM') / 1024, rssMiB: kb('VmRSS') / 1024 };
}

/** Resets the high-water mark of resident memory (so that a later phase measures its own peak). */
export function resetPeak(pid: number): boolean {
  try {
    execFileSync('sh', ['-c', `echo 5 > /proc/${pid}/clear_refs`]);
    return true;
  } catch {
    return false;
  }
}

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the first output line matching `pattern` (fails if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The last lines the process wrote, for a failure message. */
  tail(lines?: number): string;
  stats(): ProcStats;
  /** Last stats read while it ran (kept after it exits). */
  lastStats(): ProcStats | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<BenchProcess>();
process.once('exit', () => {
  for (const p of started) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch { /* gone */ }
  }
});

export interface SpawnOptions {
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  ipc?: boolean;
}

// The children run what production runs: the compiled JavaScript when the bench itself was started from
// dist/ (`npm run bench`), the sources under tsx otherwise. tsx's loader added ~55 MiB to the idle worker (203 → 148 MiB).
const COMPILED = import.meta.url.endsWith('.js');

function entryArgs(script: string): string[] {
  return COMPILED ? [script.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')] : ['--import', 'tsx', script];
}

/** `node <script> <args…>` (compiled, or the source under tsx) from the repository root, configured only through its environment. */
export function spawnNode(name: string, script: string, args: string[], o: SpawnOptions): BenchProcess {
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...entryArgs(script), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...o.env },
    stdio: o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: did not start`);
  const pid = child.pid;
  const recent: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let last: ProcStats | undefined;
  const verbose = process.env.BENCH_VERBOSE === '1';
  const onLine = (line: string) => {
    if (verbose) console.error(`[${name}] ${line}`);
    recent.push(line);
    if (recent.length > 200) recent.shift();
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) if (l) onLine(l);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(p);
      resolve({ code, signal });
    });
  });
  const p: BenchProcess = {
    name, pid, child, exited,
    waitForLine: (pattern, timeoutMs) => {
      const hit = recent.find((l) => pattern.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} after ${timeoutMs} ms\n${p.tail()}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => { clearTimeout(timer); resolve(l); } });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (code ${code}, signal ${signal}) before printing ${pattern}\n${p.tail()}`));
        });
      });
    },
    tail: (n = 30) => recent.slice(-n).map((l) => `  [${name}] ${l}`).join('\n'),
    stats: () => (last = procStats(pid)),
    lastStats: () => last,
    stop: async (graceMs = 30_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        last = procStats(pid);
      } catch { /* already gone */ }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  started.add(p);
  return p;
}

/** `csdl-gateway <command>` as a child process. */
export function spawnCli(name: string, command: string, o: SpawnOptions): BenchProcess {
  return spawnNode(name, 'src/cli.ts', [command], o);
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends one IPC request to a child and waits for the reply of the same type. */
export function ask<T>(p: BenchProcess, message: { type: string } & Record<string, unknown>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${p.name}: no answer to ${message.type} after ${timeoutMs} ms\n${p.tail()}`)), timeoutMs);
    const onMessage = (reply: { type: string; error?: string } & Record<string, unknown>) => {
      if (reply.type !== `${message.type}:done`) return;
      clearTimeout(timer);
      p.child.off('message', onMessage);
      if (reply.error) reject(new Error(`${p.name}: ${reply.error}`));
      else resolve(reply as T);
    };
    p.child.on('message', onMessage);
    void p.exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`${p.name} exited (code ${code}) during ${message.type}\n${p.tail()}`)); });
    p.child.send(message);
  });
}
