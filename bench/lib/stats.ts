import { cpus, loadavg, totalmem } from 'node:os'

/** Median, p95, p99 and max of a sample (nearest-rank percentiles). */
export type Summary = { count: number; median: number; p95: number; p99: number; max: number }

/** The nearest-rank percentile `p` (0–100) of an ascending sample. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? Number.NaN
}

/** Summarises a sample of durations (any unit). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    count: sorted.length,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  }
}

/** Milliseconds for a line: two decimals under 10 ms, one above. */
export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`
}

/** A count with thousands separators (1,234). */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-GB')
}

/**
 * The machine a figure came from, for the line that prints it; the 1-minute load average tells whether
 * something else was running (the machine is shared: another test run halves what a bench gets).
 */
export function machine(): string {
  const list = cpus()
  return `${list.length} × ${(list[0]?.model ?? 'cpu').trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, load avg ${(loadavg()[0] ?? 0).toFixed(2)} at start`
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
