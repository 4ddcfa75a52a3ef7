/**
 * The entries of src/ from the top of the house to its foundation. An entry may import only entries below it, so no
 * folder imports one that imports it back. A new folder must be given its place here.
 */
export const LAYERS: readonly string[] = [
  'index.ts', // the public surface: named re-exports only
  'cli', // the command line: policy, report, readiness, check
  'mta-sts.ts', // the composer of everything a domain needs
  'canary', // the scheduled end-to-end check
  'check', // live checks of a domain's DNS, policy site and MX hosts (CLI and canary)
  'drift-check', // the scheduled MX drift check
  'reporting', // TLS-RPT ingestion, report parsing, report monitoring, readiness
  'policy-site', // the HTTPS policy host and its publisher
  'dns', // the _mta-sts and _smtp._tls records
  'policy-domain-registry.ts', // one claim per policy domain and app
  'support', // CDK helpers: log groups, run-at-deploy, prop errors
  'runtime', // runtime code handlers share: EMF, environment, MX record paging and parsing
  'policy', // the pure core: the policy, its limits and records, without aws-cdk-lib
];

/** The entry of src/ a repository path belongs to (`src/reporting/parser/mime.ts` is in `reporting`). */
export function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src' || parts.length < 2) throw new Error(`not under src/: ${path}`);
  return parts[1];
}

/** An import that crosses a layer boundary the wrong way, or reaches an entry missing from LAYERS. */
export function layerViolation(from: string, to: string): string | undefined {
  const fromLayer = layerOf(from);
  const toLayer = layerOf(to);
  if (fromLayer === toLayer) return undefined;
  const fromRank = LAYERS.indexOf(fromLayer);
  const toRank = LAYERS.indexOf(toLayer);
  if (fromRank < 0 || toRank < 0) return `${from} -> ${to}: ${fromRank < 0 ? fromLayer : toLayer} is not in LAYERS`;
  return fromRank < toRank ? undefined : `${from} -> ${to}: ${fromLayer} is below ${toLayer}`;
}
