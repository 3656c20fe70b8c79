import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface HttpServer {
  /** The port listened on (the chosen one when asked for 0). */
  port: number;
  close(): Promise<void>;
}

/** Serves `app` on `port` (0 = any free port) at `host` (undefined = every interface). */
export async function serveHttp(app: Hono, port: number, host?: string): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port, ...(host === undefined ? {} : { hostname: host }) },
      (info: AddressInfo) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              // Keep-alive connections (Prometheus, browsers) would hold close() open.
              if ('closeAllConnections' in server) server.closeAllConnections();
              server.close(() => done());
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
