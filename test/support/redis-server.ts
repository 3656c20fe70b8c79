import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './free-port.js';
import { until } from './until.js';

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A redis-server of the test's own (not the shared test Redis), to kill and start again on the same
 * port and data folder, playing a Redis restart:
 * with `persistent`, an append-only file fsynced on every write (what the compose file runs), so a
 * restart keeps the queue as production Redis would; with `password`, AUTH is required.
 */
export class RedisServer {
  #process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly options: { persistent?: boolean; password?: string },
  ) {}

  static async start(options: { persistent?: boolean; password?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(await closedPort(), await mkdtemp(join(tmpdir(), 'test-redis-')), options);
    await server.start();
    return server;
  }

  get url(): string {
    const auth = this.options.password === undefined ? '' : `:${encodeURIComponent(this.options.password)}@`;
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push(
      ...(this.options.persistent
        ? ['--appendonly', 'yes', '--appendfsync', 'always']
        : ['--appendonly', 'no']),
    );
    if (this.options.password !== undefined) args.push('--requirepass', this.options.password);
    this.#process = spawn('redis-server', args, { stdio: 'ignore' });
    await until(`redis-server to answer on port ${this.port}`, () => answers(this.port), 10_000);
  }

  /** Kills the server at once (SIGKILL: no shutdown save) and resolves when it has exited. */
  async kill(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the server and removes its data folder. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
