import net from 'node:net';
import pg from 'pg';
import { databaseUrl, uniqueName } from '../support/services.js';

// Shared by the results store tests: a results schema of the test's own, SQL helpers, and TCP
// stand-ins for a results database that goes away (a proxy to cut) or never answers (a black hole).

/** A results schema name unique to this test, and a drop for afterAll / afterEach. */
export function resultsSchema(): { schema: string; drop: () => Promise<void> } {
  const schema = uniqueName('results').toLowerCase();
  return {
    schema,
    drop: () => query(databaseUrl(), `drop schema if exists "${schema}" cascade`).then(() => undefined),
  };
}

/** Runs SQL on a fresh connection to `url`. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** `url` pointing at `port` on 127.0.0.1 (user, password and database kept). */
export function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/** A loopback TCP proxy to `target`; `cut()` drops every connection and stops listening. */
export async function tcpProxy(target: { host: string; port: number }): Promise<{
  port: number;
  cut: () => Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async cut() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback server that accepts connections and never sends a byte (a hung database). */
export async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The warn lines of captured JSON logs that name the results store. */
export function resultsWarnings(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['level'] === 40 && String(line['msg']).startsWith('results store '));
}
