// Hand-written CloudWatch embedded metric format rather than aws-embedded-metrics: the library adds ~90 KB to the
// report bundle, applies one dimension set to every metric of a flush (we keep PolicyDomain and ResultType apart),
// and adds LogGroup/ServiceName/ServiceType dimensions in Lambda by default, each multiplying the billed metrics.

export interface EmfWriterOptions {
  readonly namespace: string;
  readonly now?: () => Date;
  /** Where EMF lines go; stdout by default (not console.log, whose Lambda prefix would hide the JSON). */
  readonly write?: (line: string) => void;
}

/** Writes one EMF line per call: the counts, all under one dimension set. */
export class EmfWriter {
  private readonly now: () => Date;
  private readonly write: (line: string) => void;

  constructor(private readonly options: EmfWriterOptions) {
    this.now = options.now ?? (() => new Date());
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  counts(dimensions: Record<string, string>, metrics: [name: string, value: number][]): void {
    const document = {
      _aws: {
        Timestamp: this.now().getTime(),
        CloudWatchMetrics: [
          {
            Namespace: this.options.namespace,
            Dimensions: [Object.keys(dimensions)],
            Metrics: metrics.map(([name]) => ({ Name: name, Unit: 'Count' })),
          },
        ],
      },
      ...dimensions,
      ...Object.fromEntries(metrics),
    };
    this.write(`${JSON.stringify(document)}\n`);
  }
}
