import { z } from "zod";

/**
 * The rules for a job's `cwd` and `env`: where its command runs and what it finds in its
 * environment on top of the worker's.
 */

/** Linux's PATH_MAX: a longer path cannot be passed to chdir(). */
export const MAX_CWD_BYTES = 4096;
export const MAX_ENV_VARS = 1000;
/** All of NAME=value together: Linux passes no single string longer than 128 KiB to a program. */
export const MAX_ENV_BYTES = 131_072;

/**
 * Set by the worker for every run (the job can tell who it is, and a worker finds a run's processes
 * by them): a job may not set them itself.
 */
export const RUNNER_ENV_NAMES: readonly string[] = ["QUEUECTL_JOB_ID", "QUEUECTL_ATTEMPT", "QUEUECTL_WORKER_ID"];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_NUL = (s: string): boolean => !s.includes("\u0000");
/** Stored as UTF-8, a lone surrogate would come back as U+FFFD: a different string than given. */
const WELL_FORMED = (s: string): boolean => !/\p{Cs}/u.test(s);
const UNICODE = "must be well-formed Unicode (a lone surrogate has no UTF-8 form)";

export const CwdSchema = z
  .string({ error: "must be an absolute directory path (a string)" })
  .refine((s) => s.startsWith("/"), "must be an absolute path (starting with /)")
  .refine(NO_NUL, "must not contain NUL bytes")
  .refine(WELL_FORMED, UNICODE)
  .refine((s) => Buffer.byteLength(s) <= MAX_CWD_BYTES, `must be at most ${MAX_CWD_BYTES} bytes`);

export const EnvSchema = z
  .record(
    z.string(),
    z
      .string({ error: "values must be strings" })
      .refine(NO_NUL, "values must not contain NUL bytes")
      .refine(WELL_FORMED, UNICODE),
    { error: (issue) => (issue.code === "invalid_type" ? "must be an object of NAME: value strings" : undefined) },
  )
  // Names are checked here rather than by the record's key schema, whose issues do not say why.
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      const problem = !ENV_NAME.test(name)
        ? "a variable name must be letters, digits and _, not starting with a digit"
        : RUNNER_ENV_NAMES.includes(name)
          ? `set by the worker for every run (${RUNNER_ENV_NAMES.join(", ")}); a job may not override it`
          : null;
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem, input: name });
    }
  })
  .refine((env) => Object.keys(env).length <= MAX_ENV_VARS, `must have at most ${MAX_ENV_VARS} variables`)
  .refine(
    (env) =>
      Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 2, 0) <=
      MAX_ENV_BYTES,
    `must be at most ${MAX_ENV_BYTES / 1024} KiB in all (NAME=value of every variable)`,
  );
