import { execFileSync } from 'child_process';
import { readdirSync } from 'fs';
import * as path from 'path';
import { LAYERS, layerViolation } from './layers';

const root = path.join(__dirname, '..', '..');

interface CruisedDependency {
  readonly resolved: string;
  readonly circular: boolean;
  readonly coreModule: boolean;
  readonly couldNotResolve: boolean;
  readonly dependencyTypes: readonly string[];
}

interface CruisedModule {
  readonly source: string;
  readonly dependencies: readonly CruisedDependency[];
}

/** Every import between files of src/, type-only imports included, as dependency-cruiser reads them. */
function cruiseSource(): { from: string; to: string; circular: boolean }[] {
  const output = execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
      'src',
      '--no-config',
      '--ts-config',
      'tsconfig.json',
      '--ts-pre-compilation-deps',
      '--do-not-follow',
      'node_modules',
      '--output-type',
      'json',
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const modules: CruisedModule[] = JSON.parse(output).modules;
  return modules
    .filter((module) => module.source.startsWith('src/'))
    .flatMap((module) =>
      module.dependencies
        .filter((dependency) => dependency.dependencyTypes.includes('local'))
        .map((dependency) => ({ from: module.source, to: dependency.resolved, circular: dependency.circular })),
    );
}

describe('layers of src/', () => {
  const imports = cruiseSource();

  test('the cruise sees the imports of the whole tree', () => {
    expect(imports).toContainEqual({ from: 'src/mta-sts.ts', to: 'src/policy/mode.ts', circular: false });
    expect(imports.length).toBeGreaterThan(200);
  });

  test('every entry of src/ has its place in LAYERS', () => {
    expect(readdirSync(path.join(root, 'src')).sort()).toEqual([...LAYERS].sort());
  });

  test('every import goes down the layers', () => {
    const violations = imports.map(({ from, to }) => layerViolation(from, to)).filter((v) => v !== undefined);
    expect(violations).toEqual([]);
  });

  test('no file imports itself back through others', () => {
    expect(imports.filter((edge) => edge.circular)).toEqual([]);
  });

  test('the rule catches an upward import and a folder missing from LAYERS', () => {
    expect(layerViolation('src/policy/mode.ts', 'src/reporting/metric-names.ts')).toBe(
      'src/policy/mode.ts -> src/reporting/metric-names.ts: policy is below reporting',
    );
    expect(layerViolation('src/reporting/a.ts', 'src/reporting/parser/b.ts')).toBeUndefined();
    expect(layerViolation('src/cli/main.ts', 'src/policy/mode.ts')).toBeUndefined();
    expect(layerViolation('src/attic/old.ts', 'src/policy/mode.ts')).toBe(
      'src/attic/old.ts -> src/policy/mode.ts: attic is not in LAYERS',
    );
  });
});
