/**
 * The JSON the API returns. The shapes come from the server's own declarations (src/core/json.ts,
 * src/core/types.ts): src/core is a composite project that web/tsconfig.json references, so
 * `tsc -b web` builds the core's declarations first and the dashboard type-checks against exactly
 * what the server sends.
 */
import type {
  AttemptJson,
  ConfigJson,
  JobJson,
  MetricsJson,
  OutputJson,
  QueueJson,
  StatusJson,
  WorkerJson,
} from "../../src/core/json.js";
import type { ScheduleJson } from "../../src/core/schedule-json.js";
import type { JobLink, JobLinks } from "../../src/core/dependencies.js";
import type { JobState as CoreJobState, StateCounts } from "../../src/core/types.js";

export type JobState = CoreJobState;
export type Counts = StateCounts;
export type Job = JobJson;
export type Link = JobLink;
export type Links = JobLinks;
export type Attempt = AttemptJson;
export type Worker = WorkerJson;
export type Status = StatusJson;
export type QueueView = QueueJson;
export type Schedule = ScheduleJson;

export interface JobPage {
  jobs: Job[];
  next_cursor: string | null;
  /** The response reached its byte budget: more jobs follow at next_cursor. */
  truncated: boolean;
}

export type Output = OutputJson;
export type Metrics = MetricsJson;
export type Point = MetricsJson["series"]["points"][number];
export type ConfigView = ConfigJson;

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
  let data: unknown;
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
  del: <T>(path: string) => request<T>("DELETE", path),
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
