// Hostile and mistaken input through every face (the built CLI, the HTTP API): each is refused with
// one line that names the field, says what was expected and what was given, and writes nothing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { assertError, withHarness, type Harness as CliHarness } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { BIN } from "../helpers/cli.js";
import { openHarness, type Harness as WebHarness } from "../web/harness.js";

interface Case {
  what: string;
  /** The enqueue JSON exactly as sent (a string, so 1e309 and "__proto__" keys arrive as typed). */
  json: string;
  field: string;
  /** What the one line must say beyond the field. */
  says: RegExp;
}

const CONTROL_ID = (char: string) => `{"id":"job${char}1","command":"true"}`;

const BAD_JOBS: Case[] = [
  {
    what: "a word for priority",
    json: '{"command":"x","priority":"urgent"}',
    field: "priority",
    says: /1\.\.10.*got "urgent"/,
  },
  { what: "a numeric string for priority", json: '{"command":"x","priority":"5"}', field: "priority", says: /got "5"/ },
  {
    what: "1e309 (Infinity) for priority",
    json: '{"command":"x","priority":1e309}',
    field: "priority",
    says: /too large/,
  },
  { what: "a number for run_at", json: '{"command":"x","run_at":5}', field: "run_at", says: /ISO 8601.*got 5/ },
  {
    what: "a string for max_retries",
    json: '{"command":"x","max_retries":"3"}',
    field: "max_retries",
    says: /got "3"/,
  },
  { what: "a string for timeout", json: '{"command":"x","timeout":"10"}', field: "timeout", says: /got "10"/ },
  {
    what: "a timeout of 1e23 s",
    json: '{"command":"x","timeout":1e23}',
    field: "timeout",
    says: /31536000.*got 1e\+23/,
  },
  { what: "a number for command", json: '{"command":5}', field: "command", says: /got 5/ },
  {
    what: "a __proto__ key",
    json: '{"command":"x","__proto__":{"polluted":1}}',
    field: "__proto__",
    says: /unknown field/,
  },
  {
    what: "a constructor key",
    json: '{"command":"x","constructor":{"prototype":{}}}',
    field: "constructor",
    says: /unknown field/,
  },
  { what: "a key with a newline", json: '{"command":"x","a\\nb":1}', field: "a\\x0ab", says: /unknown field/ },
  { what: "an id with a newline", json: CONTROL_ID("\\n"), field: "id", says: /printable.*got "job\\x0a1"/ },
  { what: "an id with DEL", json: CONTROL_ID("\\u007f"), field: "id", says: /printable.*got "job\\x7f1"/ },
  {
    what: "an id with a C1 CSI (U+009B)",
    json: CONTROL_ID("\\u009b"),
    field: "id",
    says: /printable.*got "job\\x9b1"/,
  },
  {
    what: "an id with a bidi override",
    json: CONTROL_ID("\\u202e"),
    field: "id",
    says: /printable.*got "job\\u202e1"/,
  },
  {
    what: "an id with a lone surrogate",
    json: CONTROL_ID("\\ud800"),
    field: "id",
    says: /well-formed.*got "job\\ud8001"/,
  },
  { what: "an id with a zero-width space", json: CONTROL_ID("\\u200b"), field: "id", says: /printable/ },
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("bad input through the CLI: exit 2, one line naming the field, nothing written", () => {
  it("wrong types, hostile keys and unprintable ids are refused with what was expected and what was got", () =>
    withHarness(sqliteEnv, async (h) => {
      await h.enqueue({ id: "keep", command: "true" });
      for (const c of BAD_JOBS) {
        const r = await h.cli(["enqueue", c.json]);
        assertError(r, 2, new RegExp(`^queuectl: ${escapeRe(c.field)}: `), c.what);
        assert.match(r.stderr, c.says, `${c.what}: ${r.stderr.trim()}`);
        assert.doesNotMatch(r.stderr, /is required/, `${c.what}: a wrong type is not a missing field`);
      }
      // The same through --file: the line is named too.
      const r = await h.cli(["enqueue", "--file", "-"], `{"command":"ok"}\n${BAD_JOBS[0]!.json}\n`);
      assertError(r, 2, /^queuectl: line 2: priority: .*got "urgent"/, "--file with a bad line 2");
      assert.equal(await h.total(), 1, "nothing was written");
    }));

  it("a missing required argument is a usage error (exit 2), never a lookup of 'undefined'", () =>
    withHarness(sqliteEnv, async (h) => {
      const cases: [string[], RegExp][] = [
        [["dlq", "retry"], /job id or --all/],
        [["dlq", "retry", "x", "--all"], /job id or --all/],
        [["dlq", "retry", ""], /empty/],
        [["job", "show"], /missing required argument/],
        [["job", "show", ""], /empty/],
        [["job", "output"], /missing required argument/],
        [["job", "output", ""], /empty/],
        [["config", "get"], /missing required argument/],
        [["config", "set"], /missing required argument/],
        [["config", "set", "job-timeout"], /missing required argument/],
        [["enqueue"], /missing job/],
        [["worker", "stop", "--id"], /argument missing/],
      ];
      for (const [args, pattern] of cases) {
        const r = await h.cli(args);
        assertError(r, 2, pattern, `queuectl ${args.join(" ")}`);
        assert.doesNotMatch(r.stderr, /undefined/, `queuectl ${args.join(" ")}`);
      }
    }));

  it("config durations have an upper bound (a year) named in the message; the setting is unchanged", () =>
    withHarness(sqliteEnv, async (h) => {
      for (const [key, value] of [
        ["job-timeout", "100000000000000000000000"],
        ["job-timeout", "31536001"],
        ["backoff-max", "1000000000"],
        ["lease-seconds", "86401"],
        ["worker-poll-interval", "100000"],
      ] as const) {
        const r = await h.cli(["config", "set", key, value]);
        const pattern = new RegExp(`^queuectl: config ${key}: must be .* to \\d+ .*got "${value}"`);
        assertError(r, 2, pattern, `config set ${key} ${value}`);
      }
      assert.deepEqual(await h.json(["config", "set", "job-timeout", "31536000"]), {
        key: "job-timeout",
        value: 31_536_000,
      });
      const config = await h.json<Record<string, number>>(["config", "show"]);
      assert.equal(config["job-timeout"], 31_536_000);
      assert.equal(config["backoff-max"], 3600, "a refused value changes nothing");
    }));

  it("newlines and escapes in what a user typed never make an error two lines or reach the terminal", () =>
    withHarness(sqliteEnv, async (h) => {
      const cases: [string[], RegExp][] = [
        [["job", "show", "no\nsuch\u001b[2J"], /job not found: no\\x0asuch\\x1b\[2J/],
        [["config", "set", "bad\nkey", "1"], /unknown config key "bad\\x0akey"/],
        [["config", "get", "bad\nkey"], /unknown config key "bad\\x0akey"/],
        [["list", "--state", "x\ny"], /x\\x0ay/],
        [["enqueue", "{\n"], /invalid JSON/],
      ];
      for (const [args, pattern] of cases) {
        const r = await h.cli(args);
        assert.ok(r.code === 1 || r.code === 2, `${JSON.stringify(args)}: exit ${r.code}`);
        assertError(r, r.code ?? -1, pattern, JSON.stringify(args));
        assert.doesNotMatch(r.stderr, /\u001b/, "no raw ESC on stderr");
      }
    }));
});

describe("an unknown scheme in QUEUECTL_DB or --db: exit 2, one line, no file created", () => {
  it("postgress://, mysql:// and --db mysql:// are refused", () =>
    withHarness(sqliteEnv, async (h: CliHarness) => {
      const runs: [string[], Record<string, string>, RegExp][] = [
        [["status"], { QUEUECTL_DB: "postgress://127.0.0.1/test" }, /QUEUECTL_DB: unknown scheme "postgress:\/\/"/],
        [["enqueue", '{"command":"true"}'], { QUEUECTL_DB: "mysql://x" }, /QUEUECTL_DB: unknown scheme "mysql:\/\/"/],
        [["--db", "mysql://x", "list"], {}, /--db: unknown scheme "mysql:\/\/"/],
        [["worker", "start", "--detach"], { QUEUECTL_DB: "mysql://x" }, /unknown scheme/],
      ];
      for (const [args, env, pattern] of runs) {
        // Run in the test's own folder: before the fix the "URL" became a file path relative to it.
        const r = spawnSync(process.execPath, [BIN, ...args], {
          cwd: h.home,
          env: { ...process.env, NO_COLOR: "1", ...h.env, ...env },
          encoding: "utf8",
          timeout: 30_000,
        });
        const result = { code: r.status, stdout: r.stdout, stderr: r.stderr };
        assertError(result, 2, pattern, `${JSON.stringify(env)} ${args.join(" ")}`);
      }
      assert.deepEqual(readdirSync(h.home), [], "no SQLite file (nor folder) was created");
      assert.equal(existsSync(h.path("mysql:")), false);
    }));
});

describe("bad input through the HTTP API: 400, one line naming the field, nothing written", () => {
  let h: WebHarness;
  const started: number[] = [];
  before(async () => {
    h = await openHarness({
      startWorkers: async (count) => {
        started.push(count);
        return { pid: 0, log: "" };
      },
    });
  });
  after(() => h.close());

  interface Reply {
    status: number;
    body: { error: string; fields: Record<string, string> };
  }

  /** Sends `payload` as typed (JSON.stringify would turn 1e309 into null). */
  async function raw(method: "POST" | "PUT", url: string, payload: string): Promise<Reply> {
    const response = await h.app.inject({ method, url, headers: { "content-type": "application/json" }, payload });
    return { status: response.statusCode, body: JSON.parse(response.body) as Reply["body"] };
  }

  function assert400(reply: Reply, field: string, says: RegExp, what: string) {
    assert.equal(reply.status, 400, `${what}: ${JSON.stringify(reply.body)}`);
    const fields = JSON.stringify(reply.body.fields);
    assert.ok(Object.hasOwn(reply.body.fields, field), `${what}: fields ${fields} should name ${field}`);
    assert.doesNotMatch(reply.body.error, /[\n\r\u001b\u009b]/, `${what}: one line, no controls`);
    assert.match(reply.body.error, says, what);
    assert.doesNotMatch(reply.body.error, /is required/, what);
  }

  it("POST /api/jobs: every bad job of the CLI case list, one at a time and in a batch", async () => {
    for (const c of BAD_JOBS) {
      assert400(await raw("POST", "/api/jobs", c.json), c.field, c.says, c.what);
      const batch = await raw("POST", "/api/jobs", `[{"command":"ok"},${c.json}]`);
      assert400(batch, c.field, /^job 2: /, `${c.what} in a batch`);
    }
    const list = await h.call("GET", "/api/jobs");
    assert.deepEqual(list.json<{ jobs: unknown[] }>().jobs, [], "nothing was written");
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype was touched");
  });

  it('POST /api/workers/start with count "2", PUT /api/config with 1e23 or a key with a newline', async () => {
    const start = (body: string) => raw("POST", "/api/workers/start", body);
    assert400(await start('{"count":"2"}'), "count", /^body count: expected a number, got "2"/, 'count "2"');
    assert400(await start('{"count":2,"__proto__":{}}'), "__proto__", /^body __proto__: unknown field/, "__proto__");
    assert.deepEqual(started, [], "no worker was started");
    const set = (body: string) => raw("PUT", "/api/config", body);
    assert400(await set('{"key":"job-timeout","value":1e23}'), "value", /job-timeout: .*31536000.*got 1e\+23/, "1e23");
    assert400(await set('{"key":"bad\\nkey","value":1}'), "key", /"bad\\x0akey"/, "key with a newline");
    const config = await h.call("GET", "/api/config");
    assert.equal(config.json<{ values: Record<string, number> }>().values["job-timeout"], 3600);
  });

  it("GET /api/jobs?limit=abc names the query field and quotes the value as typed", async () => {
    const reply = await h.call("GET", "/api/jobs?limit=abc");
    assert.equal(reply.status, 400);
    assert.match(reply.json<{ error: string }>().error, /^query limit: expected a number, got "abc"$/);
  });
});
