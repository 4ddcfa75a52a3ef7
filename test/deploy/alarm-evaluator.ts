/**
 * A small evaluator of CloudWatch metric alarm state over synthetic datapoints, written from the CloudWatch User
 * Guide:
 * - "Evaluating an alarm" and "Configuring how CloudWatch alarms treat missing data" (AlarmThatSendsEmail.html):
 *   Period, EvaluationPeriods (N), DatapointsToAlarm (M), the evaluation range CloudWatch retrieves (more periods
 *   than N), and TreatMissingData (missing, ignore, breaching, notBreaching);
 * - "Using metric math" (using-metric-math.html): arithmetic treats a missing value as 0 where another operand has
 *   one and drops division by zero; comparisons likewise; IF keeps or drops datapoints as its table says; FILL fills
 *   missing values with a constant; MAX of an array of time series is, at each timestamp, the largest value present;
 *   an expression may read the ids of other expressions.
 *
 * The guide does not say whether FILL yields datapoints when its series has none at all in the queried range, nor
 * exactly how long the evaluation range is (its examples use 5 periods for N = 3). Both are parameters, so a test
 * can require the same state under every reading.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Values per period, oldest first; undefined is a period without a datapoint. */
export type Series = Array<number | undefined>;

export interface EvaluationOptions {
  /** Whether FILL creates datapoints for a series with no datapoint at all in the range. */
  readonly fillCreatesDatapoints: boolean;
  /** The state before this evaluation, kept by TreatMissingData `ignore`. */
  readonly previousState?: AlarmState;
}

/** The metric an alarm or a metric math id reads: what a scenario gives values for. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: string;
}

/** The periods CloudWatch retrieves for an alarm of N evaluation periods (the guide's examples: 5 for N = 3). */
export function evaluationRange(evaluationPeriods: number): number {
  return evaluationPeriods + 2;
}

/** Every metric an alarm's properties read, by metric math id (`m` for a single-metric alarm). */
export function metricsOf(alarm: Record<string, any>): Record<string, MetricRef> {
  const ref = (metric: any, statistic: string): MetricRef => ({
    namespace: metric.Namespace,
    metricName: metric.MetricName,
    dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d: any) => [d.Name, JSON.stringify(d.Value)])),
    statistic,
  });
  if (!alarm.Metrics) return { m: ref(alarm, alarm.Statistic ?? alarm.ExtendedStatistic) };
  return Object.fromEntries(
    alarm.Metrics.filter((q: any) => q.MetricStat).map((q: any) => [q.Id, ref(q.MetricStat.Metric, q.MetricStat.Stat)]),
  );
}

/** The alarm's state given the values of each metric over its evaluation range. */
export function evaluateAlarm(
  alarm: Record<string, any>,
  data: (metric: MetricRef) => Series,
  options: EvaluationOptions,
): AlarmState {
  const n = Number(alarm.EvaluationPeriods);
  const m = Number(alarm.DatapointsToAlarm ?? n);
  const range = evaluationRange(n);
  const metrics = metricsOf(alarm);
  const series = Object.fromEntries(
    Object.entries(metrics).map(([id, metric]) => {
      const values = data(metric);
      if (values.length !== range) {
        throw new Error(`need ${range} periods for ${metric.metricName}, got ${values.length}`);
      }
      return [id, values];
    }),
  );
  let values: Series;
  if (alarm.Metrics) {
    const returned = alarm.Metrics.filter((q: any) => q.ReturnData !== false);
    if (returned.length !== 1) throw new Error('an alarm returns exactly one time series');
    // Expression ids resolve on first use, so an expression may read another expression.
    for (const query of alarm.Metrics.filter((q: any) => q.Expression)) {
      let value: Series | undefined;
      Object.defineProperty(series, query.Id, {
        enumerable: true,
        get: () => (value ??= evaluateExpression(query.Expression, series, range, options)),
      });
    }
    values = series[returned[0].Id];
  } else {
    values = series.m;
  }
  const breaches = (v: number) => compare(alarm.ComparisonOperator, v, Number(alarm.Threshold));
  const treatment: string = alarm.TreatMissingData ?? 'missing';

  if (values.every((v) => v === undefined)) {
    switch (treatment) {
      case 'breaching':
        return 'ALARM';
      case 'notBreaching':
        return 'OK';
      case 'ignore':
        return options.previousState ?? 'INSUFFICIENT_DATA';
      default:
        return 'INSUFFICIENT_DATA';
    }
  }
  if (treatment === 'breaching' || treatment === 'notBreaching') {
    const lastN = values.slice(-n);
    const breaching = lastN.filter((v) => (v === undefined ? treatment === 'breaching' : breaches(v))).length;
    return breaching >= m ? 'ALARM' : 'OK';
  }
  // missing and ignore: the most recent N datapoints that exist within the range.
  const present = values.filter((v): v is number => v !== undefined).slice(-n);
  return present.filter(breaches).length >= m ? 'ALARM' : 'OK';
}

function compare(operator: string, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      throw new Error(`unsupported ComparisonOperator ${operator}`);
  }
}

type Value = number | Series;

/** Evaluates a metric math expression: numbers, ids, + - * /, comparisons, AND/OR, FILL, IF and MAX/MIN/SUM([...]). */
export function evaluateExpression(
  expression: string,
  series: Record<string, Series>,
  range: number,
  options: EvaluationOptions,
): Series {
  const tokens = expression
    .match(/\s*(>=|<=|==|!=|&&|\|\||[-+*/(),<>[\]]|[A-Za-z_][A-Za-z0-9_]*|[0-9.]+)/g)
    ?.map((t) => t.trim());
  if (!tokens || tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`cannot parse ${expression}`);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (expected !== undefined && token !== expected) throw new Error(`expected ${expected} in ${expression}`);
    return token;
  };

  const binary =
    (ops: string[], next: () => Value): (() => Value) =>
    () => {
      let left = next();
      while (ops.includes(peek())) {
        const op = take();
        left = pointwise(left, next(), op, range);
      }
      return left;
    };
  const primary = (): Value => {
    const token = take();
    if (token === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token === '-') return pointwise(0, primary(), '-', range);
    if (/^[0-9.]+$/.test(token)) return Number(token);
    if (token === 'FILL' || token === 'IF') {
      take('(');
      const args: Value[] = [or()];
      while (peek() === ',') {
        take(',');
        args.push(or());
      }
      take(')');
      return token === 'FILL' ? fill(args, options) : ifExpression(args, range);
    }
    if (token === 'MAX' || token === 'MIN' || token === 'SUM') {
      take('(');
      take('[');
      const members: Value[] = [or()];
      while (peek() === ',') {
        take(',');
        members.push(or());
      }
      take(']');
      take(')');
      return aggregateSeries(token, members, range);
    }
    if (token in series) return series[token];
    throw new Error(`unknown id or function ${token} in ${expression}`);
  };
  const product = binary(['*', '/'], primary);
  const sum = binary(['+', '-'], product);
  const comparison = binary(['>=', '<=', '>', '<', '==', '!='], sum);
  const and = binary(['AND', '&&'], comparison);
  const or = binary(['OR', '||'], and);

  const result = or();
  if (position !== tokens.length) throw new Error(`unexpected ${peek()} in ${expression}`);
  return typeof result === 'number' ? new Array(range).fill(result) : result;
}

/** Arithmetic and comparisons: a missing value counts as 0 where the other operand has one; x/0 is dropped. */
function pointwise(left: Value, right: Value, op: string, range: number): Value {
  const apply = (a: number, b: number): number | undefined => {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return b === 0 ? undefined : a / b;
      case '>=':
        return Number(a >= b);
      case '<=':
        return Number(a <= b);
      case '>':
        return Number(a > b);
      case '<':
        return Number(a < b);
      case '==':
        return Number(a === b);
      case '!=':
        return Number(a !== b);
      case 'AND':
      case '&&':
        return Number(a !== 0 && b !== 0);
      default:
        return Number(a !== 0 || b !== 0);
    }
  };
  if (typeof left === 'number' && typeof right === 'number') return apply(left, right) ?? NaN;
  const at = (v: Value, i: number) => (typeof v === 'number' ? v : v[i]);
  return Array.from({ length: range }, (_, i) => {
    const a = at(left, i);
    const b = at(right, i);
    if (a === undefined && b === undefined) return undefined;
    return apply(a ?? 0, b ?? 0);
  });
}

function fill([values, filler]: Value[], options: EvaluationOptions): Series {
  if (typeof values === 'number' || typeof filler !== 'number') throw new Error('FILL(series, number) only');
  if (!options.fillCreatesDatapoints && values.every((v) => v === undefined)) return values;
  return values.map((v) => v ?? filler);
}

/** IF as the guide's "Using IF expressions" tables give it. */
function ifExpression([condition, whenTrue, whenFalse]: Value[], range: number): Series {
  if (typeof condition === 'number') {
    const chosen = condition !== 0 ? whenTrue : whenFalse;
    if (chosen === undefined) return new Array(range).fill(undefined);
    return typeof chosen === 'number' ? new Array(range).fill(chosen) : chosen;
  }
  return condition.map((c, i) => {
    if (c === undefined) return undefined;
    if (c !== 0) return typeof whenTrue === 'number' ? whenTrue : (whenTrue[i] ?? 0);
    if (whenFalse === undefined) return undefined;
    return typeof whenFalse === 'number' ? whenFalse : whenFalse[i];
  });
}

/**
 * MAX, MIN or SUM of an array of series: per timestamp, over the values the series have there; none where none has
 * one. (Were CloudWatch to give no value where any member lacks one, alarms that treat missing data as breaching
 * would only fire sooner.)
 */
function aggregateSeries(fn: 'MAX' | 'MIN' | 'SUM', members: Value[], range: number): Series {
  return Array.from({ length: range }, (_, i) => {
    const present = members
      .map((v) => (typeof v === 'number' ? v : v[i]))
      .filter((v): v is number => v !== undefined && !Number.isNaN(v));
    if (present.length === 0) return undefined;
    if (fn === 'SUM') return present.reduce((total, v) => total + v, 0);
    return fn === 'MAX' ? Math.max(...present) : Math.min(...present);
  });
}
