import { userInfo } from "node:os";
import { invalid } from "../../core/errors.js";

/**
 * Everything a PostgresStore needs to know besides SQL, read from the URL and the environment.
 * Our own URL query parameters are removed before the URL reaches node-postgres, which would
 * otherwise try to interpret them.
 */
export interface PgSettings {
  /** The URL handed to node-postgres (our parameters removed). */
  connectionString: string;
  /** For people and error messages: the URL without its password. */
  location: string;
  /** Unquoted schema name (validated: a plain identifier). */
  schema: string;
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

export const DEFAULT_SCHEMA = "queuectl";

/** Query parameters of the URL that queuectl reads itself (they win over the environment). */
const URL_PARAMS = { schema: "schema", poolSize: "pool_size", statementTimeout: "statement_timeout_ms" } as const;

export function pgSettings(url: string, env: NodeJS.ProcessEnv = process.env): PgSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`not a valid PostgreSQL URL: ${redact(url)}`, { db: "invalid URL" });
  }
  const param = (name: string): string | undefined => {
    const value = parsed.searchParams.get(name);
    parsed.searchParams.delete(name);
    return value ?? undefined;
  };
  const schema = param(URL_PARAMS.schema) ?? (env.QUEUECTL_SCHEMA || DEFAULT_SCHEMA);
  // Identifiers are spliced into SQL text (parameters cannot name a schema), so allow only plain ones.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw invalid(`schema: "${schema}" must be a plain identifier (letters, digits, _; at most 63)`, {
      schema: "invalid",
    });
  }
  const poolSize = intSetting("pool size", param(URL_PARAMS.poolSize) ?? env.QUEUECTL_PG_POOL_SIZE, 10, 1, 1000);
  const statementTimeoutMs = intSetting(
    "statement timeout",
    param(URL_PARAMS.statementTimeout) ?? env.QUEUECTL_PG_STATEMENT_TIMEOUT_MS,
    30_000,
    0,
    86_400_000,
  );
  const connectTimeoutMs = intSetting("connect timeout", env.QUEUECTL_PG_CONNECT_TIMEOUT_MS, 5_000, 1, 600_000);
  // libpq (psql) defaults the user to the OS account; node-postgres reads $USER only, which is
  // unset under cron, systemd and some containers. Behave like psql.
  if (!parsed.username && !env.PGUSER && !env.USER) parsed.username = osUser();
  const connectionString = parsed.toString();
  return { connectionString, location: redact(url), schema, poolSize, statementTimeoutMs, connectTimeoutMs };
}

function intSetting(what: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`PostgreSQL ${what}: ${JSON.stringify(raw)} must be an integer ${min}..${max}`, {
      [what]: "invalid",
    });
  }
  return value;
}

/** The URL without its password, safe to print. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1@");
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "postgres";
  }
}
