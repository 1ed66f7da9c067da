// Terminal injection: a job's command is anyone's text. Human output (tables, job show, errors)
// shows its control characters escaped; `--json` and `job output` give it back exactly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withHarness, type JobJson } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";

/** An OSC that retitles the window, a C1 CSI (U+009B) that turns text red, a bidi override. */
const HOSTILE = "printf '\u001b]0;pwned\u0007'; echo \u009b31mred \u202eevil";
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("terminal injection through stored text", () => {
  it("list and job show escape controls; --json and job output stay exact", () =>
    withHarness(sqliteEnv, async (h) => {
      const id = await h.enqueue({ id: "hostile", command: HOSTILE, max_retries: 0 });

      const list = await h.raw(["list"]);
      assert.equal(list.code, 0, list.stderr);
      const shown = list.stdout.toString("utf8");
      assert.doesNotMatch(shown, RAW_CONTROLS, `list printed raw control characters: ${JSON.stringify(shown)}`);
      assert.ok(shown.includes("\\x1b]0;pwned\\x07"), `list shows the OSC escaped: ${shown}`);
      assert.ok(shown.includes("\\x9b31mred"), `list shows the C1 CSI escaped: ${shown}`);
      assert.ok(shown.includes("\\u202eevil"), `list shows the bidi override escaped: ${shown}`);

      const show = await h.raw(["job", "show", id]);
      assert.equal(show.code, 0, show.stderr);
      assert.doesNotMatch(show.stdout.toString("utf8"), RAW_CONTROLS, "job show printed raw control characters");
      assert.ok(show.stdout.toString("utf8").includes("\\x1b]0;pwned\\x07"));

      const [row] = await h.json<JobJson[]>(["list"]);
      assert.equal(row?.command, HOSTILE, "list --json gives the command exactly");
      assert.equal((await h.show(id)).job.command, HOSTILE, "job show --json gives the command exactly");

      // Run it (it fails: no retries, so it goes dead), then its output comes back byte for byte.
      const worker = h.worker(1);
      await h.waitState(id, ["completed", "dead"]);
      const output = await h.output(id);
      assert.equal(output.toString("utf8"), "\u001b]0;pwned\u0007\u009b31mred \u202eevil\n", "job output is exact");
      worker.kill("SIGTERM");
      await h.waitExit(worker);
    }));
});
