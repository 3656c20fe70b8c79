import { cruise, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

// Layers from top to bottom; a module may import its own layer or any layer below it, never above.
const layers: readonly (readonly string[])[] = [
  ['cli', 'demo'],
  ['worker', 'http', 'queue', 'metrics', 'results'],
  ['sync', 'simulator'],
  ['sources', 'limiter', 'mappings', 'state'],
  ['affinity'],
  ['log', 'config', 'util'],
];

const folder = (names: readonly string[]): string => `^src/(${names.join('|')})/`;

/** One rule per layer: nothing in it imports a folder of a layer above it. */
function upwardRules() {
  return layers.slice(1).map((layer, index) => ({
    name: `no-upward-from-${layer.join('-')}`,
    severity: 'error' as const,
    from: { path: folder(layer) },
    to: { path: [folder(layers.slice(0, index + 1).flat()), '^jobs/'] },
  }));
}

async function violations(): Promise<IViolation[]> {
  const result = await cruise(['src', 'jobs'], {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    validate: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    ruleSet: {
      forbidden: [
        { name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } },
        ...upwardRules(),
        // Within one layer: the mapping format embeds source configs, so sources never read mappings.
        {
          name: 'no-sources-to-mappings',
          severity: 'error',
          from: { path: '^src/sources/' },
          to: { path: '^src/mappings/' },
        },
        // The simulator is the tests' oracle: it keeps its own rules instead of the client's.
        {
          name: 'no-simulator-to-affinity',
          severity: 'error',
          from: { path: '^src/simulator/' },
          to: { path: '^src/affinity/' },
        },
      ],
    },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  return result.output.summary.violations;
}

describe('imports go down only', () => {
  it('has no cycle and no import from a higher layer (cli → worker/queue → sync → sources/limiter/mappings → affinity → log/config/util)', async () => {
    const found = (await violations()).map((v) =>
      v.cycle && v.cycle.length > 0
        ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}`
        : `${v.rule.name}: ${v.from} → ${v.to}`,
    );
    expect(found).toEqual([]);
  }, 60_000);
});
