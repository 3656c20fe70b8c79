import { Counter, type Registry } from 'prom-client';

// One counter for the process (a run's sink counts into it wherever the run happens); a registry
// serving metrics adds it with registerResultsMetrics.
const name = 'affinity_sync_results_store_failures_total';
const failures = new Counter({
  name,
  help: 'Runs whose results could not be (fully) written to the results store (RESULTS_DATABASE_URL)',
  labelNames: ['mapping'],
  registers: [],
});

/** Counts one run the results store failed for. */
export function countResultsFailure(mapping: string): void {
  failures.inc({ mapping });
}

/** Serves the results store's counter from `registry` too (once per registry). */
export function registerResultsMetrics(registry: Registry): void {
  if (!registry.getSingleMetric(name)) registry.registerMetric(failures);
}

/** The counter's current value for `mapping` (tests, diagnostics). */
export async function resultsFailures(mapping: string): Promise<number> {
  const { values } = await failures.get();
  return values.find((v) => v.labels['mapping'] === mapping)?.value ?? 0;
}
