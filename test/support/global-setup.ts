import { existsSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import type { TestProject } from 'vitest/node';

// Resolves the PostgreSQL and Redis every test uses: TEST_DATABASE_URL / TEST_REDIS_URL, else the
// local services, else containers where a Docker engine exists, else a clear failure.

const localDatabase = 'postgresql://127.0.0.1:5432/test';
const localRedis = 'redis://127.0.0.1:6379';

function answers(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    socket.setTimeout(1500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

// libpq falls back to the OS user; node-postgres reads $USER, which CI shells may not set.
function withUser(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = process.env['PGUSER'] || userInfo().username;
  return parsed.toString();
}

function dockerAvailable(): boolean {
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  const missing: string[] = [];

  let databaseUrl = process.env['TEST_DATABASE_URL'];
  if (!databaseUrl && (await answers(localDatabase, 5432))) databaseUrl = localDatabase;
  let redisUrl = process.env['TEST_REDIS_URL'];
  if (!redisUrl && (await answers(localRedis, 6379))) redisUrl = localRedis;

  if ((!databaseUrl || !redisUrl) && dockerAvailable()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    if (!databaseUrl) {
      const pg = await new GenericContainer('postgres:16-alpine')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      stops.push(() => pg.stop());
      databaseUrl = `postgresql://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/test`;
    }
    if (!redisUrl) {
      const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      stops.push(() => redis.stop());
      redisUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
    }
  }

  if (!databaseUrl) {
    missing.push(
      `PostgreSQL: nothing answers at ${localDatabase}. Set TEST_DATABASE_URL, start a local server, or run a Docker engine for testcontainers.`,
    );
  }
  if (!redisUrl) {
    missing.push(
      `Redis: nothing answers at ${localRedis}. Set TEST_REDIS_URL, start a local server (redis-server --daemonize yes), or run a Docker engine for testcontainers.`,
    );
  }
  if (missing.length > 0) throw new Error(`Test services missing:\n- ${missing.join('\n- ')}`);

  project.provide('databaseUrl', withUser(databaseUrl as string));
  project.provide('redisUrl', redisUrl as string);
  return async () => {
    for (const stop of stops) await stop();
  };
}
