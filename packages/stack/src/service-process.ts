import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subgraphs } from '@baedal/schema';
import type { ReadyMessage } from '@baedal/service-kit';

export type ServiceName = 'order' | 'payment' | 'kitchen' | 'delivery' | 'router';

/** Every service of the supergraph: the workspace it lives in and its default port. */
export const services: Readonly<Record<ServiceName, { workspace: string; port: number }>> = {
  order: { workspace: 'subgraphs/order', port: subgraphs.order },
  payment: { workspace: 'subgraphs/payment', port: subgraphs.payment },
  kitchen: { workspace: 'subgraphs/kitchen', port: subgraphs.kitchen },
  delivery: { workspace: 'subgraphs/delivery', port: subgraphs.delivery },
  router: { workspace: 'router', port: 4000 },
};

const repository = fileURLToPath(new URL('../../../', import.meta.url));

const readyTimeoutMs = 120_000;
const stopTimeoutMs = 15_000;

/** Where a service's code comes from. */
export interface ServiceCode {
  /** The checkout to run it from (default this one; a benchmark may run an earlier one). */
  readonly root?: string;
  /**
   * Its compiled JavaScript (`<workspace>/dist/main.js`, from `npm run build`), as the image
   * runs it, rather than its TypeScript sources through tsx. Default false.
   */
  readonly compiled?: boolean;
}

/**
 * One service running in a child process, from its TypeScript sources or compiled. The
 * child tells us it is ready (and where it listens) over IPC; see `runService`.
 */
export class ServiceProcess {
  readonly #output: string[] = [];
  #child: ChildProcess | undefined;
  #stopping = false;

  constructor(
    readonly name: ServiceName,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: 'inherit' | 'capture',
    private readonly code: ServiceCode = {},
  ) {}

  /** Starts the process and resolves with its URL once it accepts requests. */
  async start(): Promise<string> {
    const stdio = this.output === 'inherit' ? 'inherit' : 'pipe';
    const workspace = join(this.code.root ?? repository, services[this.name].workspace);
    const args = this.code.compiled
      ? [join(workspace, 'dist/main.js')]
      : ['--conditions=@baedal/source', '--import', 'tsx', join(workspace, 'src/main.ts')];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', stdio, stdio, 'ipc'],
    });
    this.#child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => this.#capture(chunk));
    }
    const exited = once(child, 'exit').then(([code, signal]) => {
      throw new Error(
        `${this.name} exited (${signal ?? `status ${code}`}) before it was ready.\n${this.logs()}`,
      );
    });
    const ready = once(child, 'message').then(([message]) => (message as ReadyMessage).url);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () =>
          reject(
            new Error(`${this.name} was not ready after ${readyTimeoutMs} ms.\n${this.logs()}`),
          ),
        readyTimeoutMs,
      ).unref(),
    );
    try {
      // The IPC channel stays open: the child stops if this process goes away.
      return await Promise.race([ready, exited, timeout]);
    } catch (error) {
      await this.stop('SIGKILL');
      throw error;
    }
  }

  /** The process id while it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return (
      this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
    );
  }

  /** The exit status of the process once it has ended by itself (null if a signal ended it). */
  get exitCode(): number | null {
    return this.#child?.exitCode ?? null;
  }

  /** Calls `listener` if the process ends without being asked to. */
  onUnexpectedExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.#child?.once('exit', (code, signal) => {
      if (!this.#stopping) listener(code, signal);
    });
  }

  /** Stops the process (gracefully with SIGTERM; SIGKILL after 15 s or when asked). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    this.#stopping = true;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs).unref();
    await exited;
    clearTimeout(timer);
    this.#stopping = false;
  }

  /** The last lines the process wrote, when its output is captured. */
  logs(): string {
    return this.#output.join('');
  }

  #capture(chunk: string): void {
    this.#output.push(chunk);
    if (this.#output.length > 500) this.#output.splice(0, this.#output.length - 500);
  }
}
