import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envSchema, readEnv } from '../../src/config/env.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/log/logger.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { redisUrl, uniqueName } from '../support/services.js';
import { parseStages } from './parse-dockerfile.js';

// No cluster runs where the tests run: this parses the shipped manifests and checks the keys a
// safe deployment needs, and that image, command, environment, user, paths, port and probes agree
// with the Dockerfile, the env schema and the HTTP app.

const root = join(import.meta.dirname, '..', '..');
const folder = join(root, 'deploy', 'kubernetes');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const runtime = parseStages(readFileSync(join(root, 'Dockerfile'), 'utf8')).at(-1)!;
const dockerArg = (keyword: string) => runtime.instructions.find((i) => i.keyword === keyword)?.args ?? '';
const dockerEnv = new Map(
  runtime.instructions
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
);

interface Container {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  env?: Array<{ name: string; value?: string }>;
  envFrom?: unknown[];
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: Array<{ name: string; configMap?: { name: string } }>;
}
interface Manifest {
  file: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

const manifests: Manifest[] = readdirSync(folder)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(folder, file), 'utf8')).map((doc) => {
      expect(doc.errors, file).toEqual([]);
      return { file, ...(doc.toJS() as Omit<Manifest, 'file'>) };
    }),
  );
const byKind = (kind: string): Manifest => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const cronJob = byKind('CronJob');
const deployment = byKind('Deployment');
const service = byKind('Service');
const jobSpec = (cronJob.spec['jobTemplate'] as { spec: Record<string, unknown> }).spec;
const cronPod = (jobSpec['template'] as { spec: PodSpec }).spec;
const workerTemplate = deployment.spec['template'] as {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
};
const workerPod = workerTemplate.spec;
const only = (pod: PodSpec): Container => {
  expect(pod.containers).toHaveLength(1);
  return pod.containers[0]!;
};
const envOf = (container: Container) =>
  Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));

describe('deploy/kubernetes', () => {
  it('holds a run-all CronJob, the worker Deployment and its Service', () => {
    expect(manifests.map((m) => [m.file, m.kind])).toEqual([
      ['cronjob-run-all.yaml', 'CronJob'],
      ['worker-deployment.yaml', 'Deployment'],
      ['worker-deployment.yaml', 'Service'],
    ]);
  });

  it('runs the image the Dockerfile builds, as its user, with its entrypoint and the CLI commands', () => {
    expect(JSON.parse(dockerArg('ENTRYPOINT'))).toEqual(['affinity-sync']);
    expect(dockerArg('USER')).toBe('node'); // uid 1000 in the official node images
    for (const [pod, command] of [
      [cronPod, 'run-all'],
      [workerPod, 'worker'],
    ] as const) {
      const container = only(pod);
      expect(container.image).toMatch(new RegExp(`/affinity-sync:${pkg.version.replaceAll('.', '\\.')}$`));
      // No `command`: it would replace the image's ENTRYPOINT.
      expect(container.command).toBeUndefined();
      expect(container.args).toEqual([command]);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.envFrom, 'secrets come from a Secret, not the manifest').toBeDefined();
    }
    expect(only(workerPod).args).toEqual(JSON.parse(dockerArg('CMD')));
  });

  it('sets only variables the env schema knows, with values it accepts, and mounts mappings where MAPPINGS_DIR points', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const pod of [cronPod, workerPod]) {
      const container = only(pod);
      const env = envOf(container);
      for (const name of Object.keys(env)) expect(known.has(name), name).toBe(true);
      const parsed = readEnv({ ...Object.fromEntries(dockerEnv), ...env });
      expect(parsed.MAPPINGS_DIR).toBe(dockerEnv.get('MAPPINGS_DIR'));
      const mount = container.volumeMounts?.find((m) => m.mountPath === parsed.MAPPINGS_DIR);
      expect(mount?.readOnly).toBe(true);
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      expect(volume?.configMap?.name).toBe('affinity-sync-mappings');
      expect(container.resources?.requests?.['cpu'], 'cpu request').toBeDefined();
      expect(container.resources?.requests?.['memory'], 'memory request').toBeDefined();
      expect(container.resources?.limits?.['memory'], 'memory limit').toBeDefined();
    }
  });

  it('the nightly CronJob never overlaps, is bounded in time and does not rerun a partial run', () => {
    const spec = cronJob.spec;
    expect(() => CronExpressionParser.parse(String(spec['schedule']))).not.toThrow();
    expect(spec['timeZone']).toEqual(expect.any(String));
    expect(spec['concurrencyPolicy']).toBe('Forbid');
    expect(jobSpec['activeDeadlineSeconds']).toBeGreaterThan(0);
    // run-all exits 1 for a partial run; a retry would only reject the same values again.
    expect(jobSpec['backoffLimit']).toBe(0);
    expect(cronPod.restartPolicy).toBe('Never');
  });

  it('the worker serves its port, probes /livez and /readyz, and outlasts its shutdown timeout', async () => {
    const container = only(workerPod);
    const env = readEnv({ ...Object.fromEntries(dockerEnv), ...envOf(container) });
    const port = container.ports?.find((p) => p.name === 'http')?.containerPort;
    expect(port).toBe(env.WORKER_HTTP_PORT);
    expect(dockerArg('EXPOSE')).toBe(String(port));
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    // The image's HEALTHCHECK asks what the liveness probe asks.
    expect(dockerArg('HEALTHCHECK')).toContain(`'${container.livenessProbe?.httpGet.path}'`);
    // SIGTERM: WORKER_SHUTDOWN_TIMEOUT_MS for running syncs, then a 2 s exit backstop.
    expect((workerPod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      env.WORKER_SHUTDOWN_TIMEOUT_MS + 2000,
    );

    // The probe paths exist in the app: /livez 200, /readyz answering its checks (not 404).
    const connection = openRedis(redisUrl());
    const queue = openSyncQueue({ QUEUE_PREFIX: uniqueName('k8s') }, connection);
    try {
      const app = createApp({
        queue,
        metrics: new SyncMetrics().registry,
        health: async () => ({ ok: true, checks: {} }),
        mappingNames: () => new Set(),
        enqueue: () => Promise.reject(new Error('not reached')),
        token: undefined,
        logger: silentLogger,
      });
      expect((await app.request(container.livenessProbe!.httpGet.path)).status).toBe(200);
      expect((await app.request(container.readinessProbe!.httpGet.path)).status).toBe(200);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('the Service selects the worker pods and targets the named port', () => {
    const spec = service.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string }> };
    expect(spec.selector).toEqual(workerTemplate.metadata.labels);
    expect((deployment.spec['selector'] as { matchLabels: Record<string, string> }).matchLabels).toEqual(
      workerTemplate.metadata.labels,
    );
    expect(spec.ports.map((p) => p.targetPort)).toEqual(['http']);
  });
});
