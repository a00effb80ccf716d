// Types for measure.mjs (plain JavaScript, shared by the benchmarks).
export const PYTHON: string;
export const STRACE: string;
export class SetupError extends Error {}
export interface MeasuredAgent {
  readonly argv: readonly string[];
  readonly name?: string;
  /** Runs the agent inside a lab node (its nsenter prefix). */
  readonly prefix?: readonly string[];
}
export interface TimedRun {
  readonly rc: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
  readonly output: string;
}
export function timedRun(agent: MeasuredAgent, env: Record<string, string>, prefix?: readonly string[]): Promise<TimedRun>;
export function countRun(agent: MeasuredAgent, env: Record<string, string>, traceFile: string, prefix?: readonly string[]): Promise<number>;
export function median(values: readonly number[]): number;
export interface Measured {
  readonly wall: number[];
  readonly cpu: number[];
  readonly rss: number[];
  readonly rc: Set<number>;
  readonly procs: number[];
}
export function measureAll<A extends MeasuredAgent & { readonly env: Record<string, string> }>(
  agents: readonly A[],
  runs: number,
  traceFile: string,
  countRuns?: number,
): Promise<(A & Measured)[]>;
