/**
 * The JSON the API returns. These mirror src/core/json.ts; the dashboard is compiled on its own
 * (browser target, its own tsconfig), so the shapes are restated here rather than imported.
 */
export const STATES = ["pending", "processing", "completed", "failed", "dead"] as const;
export type JobState = (typeof STATES)[number];
export type Counts = Record<JobState, number>;

export interface Job {
  id: string;
  command: string;
  state: JobState;
  scheduled: boolean;
  priority: number;
  attempts: number;
  max_retries: number;
  timeout: number | null;
  run_at: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  last_error: string | null;
  worker_id: string | null;
}

export interface Attempt {
  number: number;
  outcome: string;
  worker_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  stdout_bytes: number;
  stderr_bytes: number;
}

export interface Worker {
  id: string;
  host: string;
  pid: number;
  slots: number;
  running: string[];
  started_at: string | null;
  heartbeat_at: string | null;
  status: "alive" | "draining" | "stopping" | "lost";
}

export interface Status {
  counts: Counts;
  workers: Worker[];
  health: { live_workers: number; lost_workers: number; oldest_ready_ms: number | null; next_run_at: string | null };
}

export interface JobPage {
  jobs: Job[];
  next_cursor: string | null;
}

export interface Output {
  job_id: string;
  attempt: number;
  stream: "stdout" | "stderr";
  text: string;
  total_bytes: number;
  truncated: boolean;
}

export interface Point {
  at: string;
  completed: number;
  failed: number;
}

export interface Metrics {
  counts: Counts;
  total_jobs: number;
  attempts_total: number;
  attempts_failed: number;
  success_rate: number | null;
  duration_ms: { avg: number | null; p50: number | null; p95: number | null };
  fastest: { job_id: string; duration_ms: number } | null;
  slowest: { job_id: string; duration_ms: number } | null;
  throughput: { last_minute: number; last_hour: number; per_second_last_minute: number };
  series: { bucket_seconds: number; points: Point[] };
}

export interface ConfigView {
  values: Record<string, number>;
  defaults: Record<string, number>;
  help: Record<string, string>;
}

/** An API error: the message, and for bad input the offending fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: "application/json" }, credentials: "same-origin" };
  if (method !== "GET") {
    // State-changing calls must be JSON: the server refuses anything else (a CSRF defence).
    init.headers = { accept: "application/json", "content-type": "application/json" };
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text === "" ? null : JSON.parse(text);
  } catch {
    data = null;
  }
  if (!response.ok) {
    const err = (data ?? {}) as { error?: unknown; fields?: unknown };
    const fields = typeof err.fields === "object" && err.fields !== null ? (err.fields as Record<string, string>) : {};
    throw new ApiError(response.status, typeof err.error === "string" ? err.error : `HTTP ${response.status}`, fields);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, body),
};

/** Builds a query string, leaving out empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
