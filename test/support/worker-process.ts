// Real processes for the delivery-guarantee tests: `csdl-gateway worker` as a child process
// (`node --import tsx src/cli.ts worker`, configured only through its environment, as in production)
// and a private `redis-server` the test owns, so the shared Redis is never restarted or flushed.
// Every process started here is registered; `stopAllProcesses()` (afterEach/afterAll) kills what is
// left even when a test failed, and `dumpProcessOutput()` prints what each one wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { settings } from '../../src/config.ts';

/** The repository root: the worker runs from there, as `csdl-gateway worker` would. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const MAX_OUTPUT_CHARS = 400_000;

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface OwnedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process wrote so far, stdout and stderr interleaved, each line tagged. */
  output(): string;
  /** Resolves once the process has exited (immediately if it already has). */
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
  /** SIGKILL unless it already exited; resolves on exit. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

const owned = new Set<OwnedProcess>();
const finished: OwnedProcess[] = [];

// Last resort if the test process itself goes away without its hooks (a crash, process.exit):
// no worker or redis-server outlives it.
process.once('exit', () => {
  for (const p of owned) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch { /* already gone */ }
  }
});

function track(name: string, child: ChildProcess): OwnedProcess {
  if (child.pid === undefined) throw new Error(`${name}: the process did not start`);
  let text = '';
  let exit: Exit | undefined;
  const append = (stream: string) => (chunk: Buffer) => {
    const lines = chunk.toString('utf8').split('\n').filter((l) => l !== '');
    text += lines.map((l) => `[${name} ${stream}] ${l}\n`).join('');
    if (text.length > MAX_OUTPUT_CHARS) text = `…(truncated)\n${text.slice(-MAX_OUTPUT_CHARS / 2)}`;
  };
  child.stdout?.on('data', append('out'));
  child.stderr?.on('data', append('err'));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      text += `[${name}] exited code=${code} signal=${signal}\n`;
      resolve(exit);
    });
    child.once('error', (err) => {
      text += `[${name}] spawn error: ${err.message}\n`;
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  const p: OwnedProcess = {
    name, child, pid: child.pid, exited,
    output: () => text,
    hasExited: () => exit !== undefined,
    kill: async (signal = 'SIGKILL') => {
      if (exit === undefined) {
        try {
          process.kill(child.pid!, signal);
        } catch { /* already gone */ }
      }
      return exited;
    },
  };
  owned.add(p);
  finished.push(p);
  void exited.then(() => owned.delete(p));
  return p;
}

/** Kills (SIGKILL) every process this module started that is still running, and waits for them. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...owned].map((p) => p.kill('SIGKILL')));
}

/** The output of every process started since the last `clearProcessOutput()`, for a failed test. */
export function dumpProcessOutput(): string {
  return finished.map((p) => `──── ${p.name} (pid ${p.pid}) ────\n${p.output()}`).join('\n');
}

export function clearProcessOutput(): void {
  finished.length = 0;
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

/**
 * Polls `check` every `intervalMs` until it returns a truthy value, which it returns; past
 * `timeoutMs` it fails with `message` (and what `describe` says about the current state).
 */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  o: { timeoutMs: number; message: string; intervalMs?: number; describe?: () => Promise<string> | string }): Promise<T> {
  const end = Date.now() + o.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) {
      const state = o.describe ? await Promise.resolve(o.describe()).catch((e: unknown) => `(describe failed: ${String(e)})`) : '';
      throw new Error(`timed out after ${o.timeoutMs} ms: ${o.message}${state ? `\nstate: ${state}` : ''}${lastError ? `\nlast error: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 100));
  }
}

// ── the worker ───────────────────────────────────────────────────────────

/** The gateway's settings as environment variables (names from src/config.ts). */
export type WorkerEnv = Record<string, string>;

const GATEWAY_VARIABLES = new Set(Object.values(settings).map((s) => s.env));

export interface WorkerProcess extends OwnedProcess {
  /** Resolves when the worker logged "worker started" (it then relays and takes jobs). */
  readonly started: Promise<void>;
  /** SIGTERM, then wait up to `timeoutMs` for the exit; the exit, or undefined if it did not exit. */
  terminate(timeoutMs: number): Promise<Exit | undefined>;
}

/**
 * `node --import tsx src/cli.ts worker` from the repository root with `env` as its only gateway
 * configuration (gateway variables inherited from the test's environment are removed first).
 */
export function spawnWorker(name: string, env: WorkerEnv): WorkerProcess {
  return spawnCli(name, ['worker'], env, '"msg":"worker started"');
}

/**
 * Any `csdl-gateway` command (`serve`, `simulator`, `sync`…) the same way; `started` resolves when its
 * output contains `readyText` (for a command that runs to its end, pass '' and await `exited`).
 */
export function spawnCli(name: string, args: readonly string[], env: WorkerEnv, readyText: string): WorkerProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !GATEWAY_VARIABLES.has(k) && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = track(name, child);
  const started = waitFor(() => {
    if (p.hasExited() && !p.output().includes(readyText)) throw new Error(`${name} exited before it started`);
    return p.output().includes(readyText);
  }, { timeoutMs: 30_000, intervalMs: 50, message: `${name} to print "${readyText}"`, describe: () => p.output() }).then(() => undefined);
  started.catch(() => { /* reported by whoever awaits it */ });
  return {
    ...p,
    started,
    terminate: async (timeoutMs) => {
      await p.kill('SIGTERM');
      // p.kill resolves on exit; bound it here.
      return Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref())]);
    },
  };
}

// ── a private Redis ──────────────────────────────────────────────────────

export interface RedisServer extends OwnedProcess {
  readonly port: number;
  readonly url: string;
}

/**
 * `redis-server` on 127.0.0.1:`port` (a free one by default), in memory only (no RDB, no AOF), so a
 * restart starts empty, like a Redis that lost its data. Resolves once it answers PING.
 */
export async function startRedisServer(port?: number, name = 'redis'): Promise<RedisServer> {
  if (port !== undefined) return startRedisOn(port, name);
  // A free port can be taken by someone else before redis-server binds it: try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOn(await freePort(), name);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/**
 * The environment without faketime's preload: Redis plays another machine, which keeps the real clock when
 * a test run moves the gateway's (and redis-server does not run under libfaketime).
 */
function realClockEnv(): NodeJS.ProcessEnv {
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, FAKETIME_NO_CACHE: _cache, DONT_FAKE_MONOTONIC: _mono, ...env } = process.env;
  return env;
}

async function startRedisOn(chosen: number, name: string): Promise<RedisServer> {
  const child = spawn('redis-server', [
    '--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no',
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: realClockEnv() });
  const p = track(`${name}:${chosen}`, child);
  const url = `redis://127.0.0.1:${chosen}`;
  try {
    await waitFor(async () => {
      if (p.hasExited()) throw new Error(`redis-server on ${chosen} exited`);
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, { timeoutMs: 10_000, intervalMs: 50, message: `redis-server on port ${chosen} to answer PING`, describe: () => p.output() });
  } catch (err) {
    await p.kill('SIGKILL');
    throw err;
  }
  return { ...p, port: chosen, url };
}
