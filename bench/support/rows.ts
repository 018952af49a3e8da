/** One line of the result table. */
export interface Row {
  metric: string;
  /** CubQueue's figure; null when the row was skipped or failed. */
  value: number | null;
  unit: string;
  /** What the figure is compared with, measured in the same run ("—" when absolute). */
  reference: string;
  referenceValue: number | null;
  /**
   * value / reference, oriented so that above 1 means CubQueue is faster
   * (for times: reference / value). Null when there is no reference.
   */
  ratio: number | null;
  /** The target from the issue, in words. */
  target: string;
  /** Whether the target is met; null when it cannot be judged (skipped, no target). */
  met: boolean | null;
  notes?: string;
  /** Set when the row was not measured, with the reason. */
  skipped?: string;
}

type Orientation = "higher-is-better" | "lower-is-better";

/** Ratio oriented so above 1 means CubQueue does better. */
export function ratioOf(value: number | null, reference: number | null, orientation: Orientation): number | null {
  if (value === null || reference === null || !Number.isFinite(value) || !Number.isFinite(reference) || value <= 0 || reference <= 0) return null;
  return orientation === "higher-is-better" ? value / reference : reference / value;
}

/** A row for a metric that could not be measured. */
export function skippedRow(metric: string, unit: string, reference: string, target: string, reason: string): Row {
  return { metric, value: null, unit, reference, referenceValue: null, ratio: null, target, met: null, skipped: reason };
}
