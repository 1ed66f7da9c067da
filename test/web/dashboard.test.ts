import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { bytes, duration } from "../../src/core/format.js";
import { Queue } from "../../src/open.js";
import { startWebServer, type WebServer } from "../../src/web/server.js";
import { alive, CHROMIUM, IS_CI, tempHome, waitFor } from "../helpers/env.js";

/**
 * Screenshots of every view. With QUEUECTL_SCREENSHOTS=1 they replace the committed ones shown in
 * docs/web.md; otherwise they go to a temporary folder, so a test run leaves the work tree clean.
 */
const SHOTS =
  process.env.QUEUECTL_SCREENSHOTS === "1"
    ? fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url))
    : mkdtempSync(join(tmpdir(), "queuectl-shots-"));

/** On a machine without Chromium this file is skipped with one line; under CI it must run. */
const skip =
  !existsSync(CHROMIUM) && !IS_CI
    ? `no Chromium at ${CHROMIUM} (set QUEUECTL_TEST_CHROMIUM to run the dashboard tests)`
    : false;

describe("dashboard in Chromium", { skip }, () => {
  let home: ReturnType<typeof tempHome>;
  let queue: Queue;
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  /** Whether the next dialog (a confirm) is accepted; dialogs are dismissed otherwise. */
  let acceptDialog = false;
  /** Confirms the dashboard asks while a test says yes to them (every other dialog is dismissed). */
  const confirms: string[] = [];
  let acceptConfirms = false;
  const pageErrors: string[] = [];
  const previousHome = process.env.QUEUECTL_HOME;

  const go = async (hash: string): Promise<void> => {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  };
  const shot = async (name: string): Promise<void> => {
    // A passing toast would cover part of the view.
    await page.evaluate(`document.getElementById("toast")?.classList.remove("shown")`);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: "disabled" });
  };

  /** The rendered heights of the throughput chart's axis labels, in CSS pixels. */
  const chartLabelHeights = async (): Promise<number[]> => {
    const heights = await page.evaluate<number[]>(
      `[...document.querySelectorAll(".chart text, .chart .axis-label")].map((e) => e.getBoundingClientRect().height)`,
    );
    assert.ok(heights.length >= 4 && heights.every((h) => h > 5), `chart labels: ${heights.join(", ")}`);
    return heights;
  };

  before(async () => {
    home = tempHome("queuectl-ui-");
    process.env.QUEUECTL_HOME = home.home; // detached workers log here
    queue = await Queue.open({ db: home.db });
    server = await startWebServer({ queue, db: home.db, host: "127.0.0.1", port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: "light" });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on("dialog", (dialog) => {
      if (acceptConfirms && dialog.type() === "confirm") {
        confirms.push(dialog.message());
        void dialog.accept();
        return;
      }
      dialogs.push(dialog.message());
      void (acceptDialog ? dialog.accept() : dialog.dismiss());
      acceptDialog = false;
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(server.url);
    await page.locator("#live[data-state=live]").waitFor();
    // Marks this document: if the page ever reloads, the mark is gone.
    await page.evaluate("window.__noReload = 1");
  });

  after(async () => {
    const pids = (await queue?.workers())?.map((w) => w.pid).filter((pid) => pid !== process.pid) ?? [];
    await queue?.stopWorkers("now").catch(() => 0);
    await waitFor("worker processes exit", () => pids.every((pid) => !alive(pid)), { timeoutMs: 10_000 }).catch(() => {
      for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    });
    await browser?.close();
    await server?.close("now");
    await queue?.close();
    if (process.env.QUEUECTL_SCREENSHOTS !== "1") rmSync(SHOTS, { recursive: true, force: true });
    home?.cleanup();
    if (previousHome === undefined) delete process.env.QUEUECTL_HOME;
    else process.env.QUEUECTL_HOME = previousHome;
  });

  it("starts a worker pool from the workers view", async () => {
    await go("#/workers");
    await page.locator("#start-count").fill("3");
    await page.getByRole("button", { name: "Start pool" }).click();
    // The new worker appears through the live stream.
    await page.locator("tr[data-worker] [data-state=alive]").waitFor();
    const workers = await queue.workers();
    assert.equal(workers.length, 1);
    assert.equal(workers[0]?.slots, 3);
    assert.notEqual(workers[0]?.pid, process.pid);
  });

  it("creates a job through the form, shows field errors, and sees it complete without a reload", async () => {
    await page.locator("nav a[data-section=new]").click();
    await page.locator("#field-command").fill("echo hello-from-form; echo to-stderr >&2");
    await page.locator("#field-priority").fill("11");
    await page.locator("#field-run_at").fill("2030-01-01T10:00:00");
    await page.locator("#field-max_retries").fill("-1");
    await page.getByRole("button", { name: "Enqueue" }).click();
    await page.locator("[data-error-for=priority]", { hasText: "1..10" }).waitFor();
    await page.locator("[data-error-for=max_retries]", { hasText: "0..1000" }).waitFor();
    assert.equal(await page.locator("[data-error-for=command]").textContent(), "");
    await shot("new-job");

    await page.locator("#field-priority").fill("7");
    await page.locator("#field-max_retries").fill("2");
    await page.locator("#field-run_at").fill("");
    await page.locator("#field-id").fill("form-job");
    await page.getByRole("button", { name: "Enqueue" }).click();
    await page.waitForURL((url) => url.hash === "#/jobs/form-job");
    await page.locator(".page-head [data-state=completed]").waitFor();
    await page.locator("pre.output", { hasText: "hello-from-form" }).waitFor();
    const job = await queue.get("form-job");
    assert.deepEqual([job.state, job.priority, job.max_retries], ["completed", 7, 2]);

    // Its output, per stream.
    await page.locator("button[data-stream=stderr]").click();
    await page.locator("pre.output", { hasText: "to-stderr" }).waitFor();
    assert.doesNotMatch((await page.locator("pre.output").textContent()) ?? "", /hello-from-form/);
    await page.locator("tr[data-attempt='1'] [data-state=completed]").waitFor();
    // A finished job no longer holds a worker: its page names the one that ran its last attempt.
    const [ran] = await queue.attempts("form-job");
    assert.ok(ran?.worker_id);
    assert.equal(job.worker_id, null);
    const workerFact = page.locator("dl.facts dt", { hasText: /^Worker$/ }).locator("xpath=following-sibling::dd[1]");
    assert.equal(await workerFact.textContent(), ran.worker_id);
    assert.equal(await page.evaluate("window.__noReload"), 1);
  });

  it("creates a job with a directory and variables through the form; its page shows them as text", async () => {
    const dir = join(home.home, "dir <b>bold");
    mkdirSync(dir);
    await page.locator("nav a[data-section=new]").click();
    await page.locator("#field-command").fill('pwd; printf "%s" "$MARKUP"');
    await page.locator("#field-cwd").fill("relative/dir");
    await page.locator("#field-env").fill("1BAD=x");
    await page.getByRole("button", { name: "Enqueue" }).click();
    await page.locator("[data-error-for=cwd]", { hasText: "absolute" }).waitFor();
    await page.locator("[data-error-for=env]", { hasText: "1BAD: a variable name" }).waitFor();

    await page.locator("#field-cwd").fill(dir);
    await page.locator("#field-env").fill("MARKUP=<img src=x onerror=alert(1)>\nPLAIN=a b");
    await page.locator("#field-id").fill("form-env-job");
    await page.getByRole("button", { name: "Enqueue" }).click();
    await page.waitForURL((url) => url.hash === "#/jobs/form-env-job");
    await page.locator(".page-head [data-state=completed]").waitFor();
    const job = await queue.get("form-env-job");
    assert.equal(job.cwd, dir);
    assert.deepEqual(job.env, { MARKUP: "<img src=x onerror=alert(1)>", PLAIN: "a b" });
    await page.locator("pre.output", { hasText: `${dir}\n<img src=x onerror=alert(1)>` }).waitFor();
    const fact = (label: string) =>
      page.locator("dl.facts dt", { hasText: new RegExp(`^${label}$`) }).locator("xpath=following-sibling::dd[1]");
    assert.equal(await fact("Directory").textContent(), dir);
    assert.equal(await fact("Environment").textContent(), "MARKUP=<img src=x onerror=alert(1)>\nPLAIN=a b");
    assert.equal(await page.locator("dl.facts img, dl.facts b").count(), 0, "shown as text, never as markup");
  });

  it("tails the output of a running job live", async () => {
    await queue.enqueue({ id: "ticker", command: "for i in 1 2 3 4 5 6 7 8; do echo tick-$i; sleep 0.3; done" });
    await go("#/jobs/ticker");
    await page.locator(".page-head [data-state=processing]").waitFor();
    await page.locator("pre.output", { hasText: "tick-2" }).waitFor();
    assert.equal((await queue.get("ticker")).state, "processing", "output seen while the job still runs");
    await page.locator(".tailing").waitFor();
    await shot("job-running");
    await page.locator("pre.output", { hasText: "tick-8" }).waitFor();
    await page.locator(".page-head [data-state=completed]").waitFor();
    await shot("job");
  });

  it("shows a failing job in the DLQ and retries it from there", async () => {
    const marker = join(home.home, "flaky-ran-once");
    await go("#/dlq");
    // Fails the first time (no retries allowed, so straight to the DLQ); succeeds after a retry.
    await queue.enqueue({
      id: "flaky",
      command: `test -f '${marker}' || { touch '${marker}'; echo 'first run fails' >&2; exit 3; }`,
      max_retries: 0,
    });
    await queue.enqueue({
      id: "always-fails",
      command: "echo 'cannot reach db.internal:5432' >&2; exit 2",
      max_retries: 0,
    });
    await page.locator("tr[data-job=flaky]").waitFor();
    await page.locator("tr[data-job=always-fails]").waitFor();
    await shot("dlq");
    await page.locator("tr[data-job=flaky]").getByRole("button", { name: "Retry" }).click();
    await waitFor("flaky completes after the retry", async () => (await queue.get("flaky")).state === "completed");
    await page.locator("tr[data-job=flaky]").waitFor({ state: "detached" });
    const attempts = await queue.attempts("flaky");
    assert.deepEqual(
      attempts.map((a) => a.outcome),
      ["failed", "completed"],
    );
  });

  it("renders script and markup in ids, commands and output as text, running nothing", async () => {
    const payloads = [
      {
        id: "<script>alert('id')</script>",
        command: "echo \"<script>alert('out')</script>\"; echo '<img src=x onerror=alert(1)>' >&2",
      },
      {
        id: "<img/src=x/onerror=alert('img-id')>",
        command: "echo '<img src=x onerror=\"window.__xss=1;alert(2)\">' # <b onmouseover=alert(3)>x</b>",
      },
    ];
    for (const input of payloads) await queue.enqueue(input);
    await waitFor("payload jobs finish", async () => {
      const states = await Promise.all(payloads.map(async (p) => (await queue.get(p.id)).state));
      return states.every((s) => s === "completed");
    });
    await go("#/jobs");
    for (const input of payloads) {
      await page.locator("a", { hasText: input.id }).first().waitFor();
    }
    await shot("jobs");
    await page
      .locator("a", { hasText: payloads[1]?.id ?? "" })
      .first()
      .click();
    await page.locator("h1", { hasText: payloads[1]?.id ?? "" }).waitFor();
    await page.locator("pre.output", { hasText: "<img src=x onerror=" }).waitFor();
    await page.locator(".command-full", { hasText: "<b onmouseover=alert(3)>x</b>" }).waitFor();
    await go(`#/jobs/${encodeURIComponent(payloads[0]?.id ?? "")}`);
    await page.locator("pre.output", { hasText: "<script>alert('out')</script>" }).waitFor();
    await page.locator("button[data-stream=stderr]").click();
    await page.locator("pre.output", { hasText: "<img src=x onerror=alert(1)>" }).waitFor();
    // Expressions as strings: this file is compiled for Node, without the DOM's types.
    assert.equal(await page.evaluate("typeof window.__xss"), "undefined");
    assert.equal(await page.evaluate(`document.querySelectorAll("main img, main script, main b").length`), 0);
    assert.deepEqual(dialogs, []);
  });

  it("cancels a running job from its page after a confirm", async () => {
    await queue.enqueue({ id: "to-cancel", command: "echo working; exec sleep 300" });
    await go("#/jobs/to-cancel");
    await page.locator(".page-head [data-state=processing]").waitFor();
    await page.locator("pre.output", { hasText: "working" }).waitFor();
    const cancel = page.locator(".page-head button[data-action=cancel]");
    await cancel.click();
    await waitFor("the confirm", () => dialogs.some((d) => d.includes("to-cancel")));
    assert.equal((await queue.get("to-cancel")).state, "processing", "dismissed: nothing happens");
    acceptDialog = true;
    await cancel.click();
    await page.locator(".page-head [data-state=cancelled]").waitFor();
    const [attempt, ...more] = await queue.attempts("to-cancel");
    assert.deepEqual([attempt?.outcome, more.length], ["cancelled", 0]);
    assert.equal(await page.locator(".page-head button[data-action=cancel]").count(), 0, "no Cancel once finished");
    await go("#/jobs?state=cancelled");
    await page.locator("tr[data-job=to-cancel]").waitFor();
  });

  it("edits a config value, showing a bad value's error beside it", async () => {
    await go("#/config");
    const row = page.locator("form[data-key=max-retries]");
    await row.locator("input").fill("many");
    await row.getByRole("button", { name: "Save" }).click();
    await row.locator(".field-error", { hasText: /number/i }).waitFor();
    assert.equal((await queue.config())["max-retries"], 3);
    await row.locator("input").fill("6");
    await row.getByRole("button", { name: "Save" }).click();
    await waitFor("max-retries is 6", async () => (await queue.config())["max-retries"] === 6);
    await page.locator("#toast", { hasText: "max-retries = 6" }).waitFor();
    assert.equal(await row.locator(".field-error").textContent(), "");
    // Retention settings are listed like the others and take durations.
    const retention = page.locator("form[data-key=retention-completed]");
    await retention.locator("input").fill("soon");
    await retention.getByRole("button", { name: "Save" }).click();
    await retention.locator(".field-error", { hasText: /seconds/i }).waitFor();
    await retention.locator("input").fill("3d");
    await retention.getByRole("button", { name: "Save" }).click();
    await waitFor(
      "retention-completed is 3 days",
      async () => (await queue.config())["retention-completed"] === 259_200,
    );
    await shot("config");
  });

  it("shows a job's key and no-retry codes, and sets the on-dead hook on the Config page", async () => {
    const job = await queue.enqueue({
      id: "keyed",
      command: "true",
      key: "nightly-report",
      no_retry_exit_codes: [64, 2],
      run_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await go(`#/jobs/${job.id}`);
    await page.locator("dd", { hasText: "nightly-report" }).waitFor();
    await page.locator("dd", { hasText: "exit code 2, 64" }).waitFor();
    await go("#/config");
    const jitter = page.locator("form[data-key=backoff-jitter]");
    await jitter.locator("input").fill("1.5");
    await jitter.getByRole("button", { name: "Save" }).click();
    await jitter.locator(".field-error", { hasText: /0 to 1/ }).waitFor();
    const hook = page.locator("form[data-key=on-dead]");
    await hook.locator("input").fill("notify-send dead $QUEUECTL_DEAD_JOB_ID");
    await hook.getByRole("button", { name: "Save" }).click();
    await waitFor("on-dead is set", async () => (await queue.config())["on-dead"] !== "");
    assert.equal((await queue.config())["on-dead"], "notify-send dead $QUEUECTL_DEAD_JOB_ID");
    await queue.setConfig("on-dead", "");
  });

  it("shows the overview and metrics, in light and dark themes and at phone width", async () => {
    await go("#/metrics");
    await page.locator(".chart figcaption").waitFor();
    // Polled from here: Playwright's waitForFunction evaluates its predicate with eval, which the
    // dashboard's Content-Security-Policy (rightly) refuses in newer Chromium.
    await waitFor("a bar of the chart has height", async () => {
      const heights = await Promise.all(
        (await page.locator(".chart rect.ok").all()).map((bar) => bar.getAttribute("height")),
      );
      return heights.some((height) => Number(height) > 0);
    });
    await page.locator(".card", { hasText: "success rate" }).waitFor();
    // The hour's figure is a rate: the card says of what, and per what.
    const hour = (await page.locator(".card", { hasText: "last hour" }).innerText()).replace(/\s+/g, " ");
    assert.match(hour, /\d+(\.\d+)? jobs\/min.*avg over the last hour/i, hour);
    const wide = await chartLabelHeights();
    await shot("metrics");
    await go("#/workers");
    await page.locator("tr[data-worker]").waitFor();
    await shot("workers");
    await go("#/");
    await page.locator("[data-count=completed] .card-value", { hasText: /^[1-9]/ }).waitFor();
    await page.locator(".chart svg").waitFor();
    await shot("overview");

    await page.locator("#theme-toggle").click();
    assert.equal(await page.evaluate("document.documentElement.dataset.theme"), "dark");
    await shot("overview-dark");
    await go("#/jobs/form-job");
    await page.locator("pre.output", { hasText: "hello-from-form" }).waitFor();
    await shot("job-dark");
    await page.locator("#theme-toggle").click();

    await page.setViewportSize({ width: 390, height: 844 });
    await go("#/jobs");
    await page.locator("tr[data-job=form-job]").waitFor();
    // At phone width nothing scrolls sideways.
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
    await shot("jobs-phone");
    // The chart narrows with the screen; its labels keep their size.
    await go("#/metrics");
    await page.locator(".chart figcaption").waitFor();
    const narrow = await chartLabelHeights();
    assert.equal(narrow.length, wide.length);
    for (const [i, height] of narrow.entries()) {
      assert.ok(Math.abs(height - (wide[i] ?? 0)) < 0.5, `label ${i}: ${wide[i]}px tall at 1280, ${height}px at 390`);
    }
    await page.setViewportSize({ width: 1280, height: 820 });
  });

  it("retries and deletes selected jobs from the list, and one job from its page", async () => {
    const release = join(home.home, "bulk-release");
    await queue.enqueueMany([
      { id: "bulk-ok", command: "echo ok" },
      { id: "bulk-also", command: "true" },
      { id: "bulk-dead", command: "exit 3", max_retries: 0 },
      // Runs until the test lets it end, so that it is running while the others are acted on.
      { id: "bulk-busy", command: `while [ ! -f '${release}' ]; do sleep 0.05; done` },
    ]);
    const states = async () =>
      Object.fromEntries(
        await Promise.all(
          ["bulk-ok", "bulk-also", "bulk-dead", "bulk-busy"].map(async (id) => [id, (await queue.get(id)).state]),
        ),
      ) as Record<string, string>;
    const settled = {
      "bulk-ok": "completed",
      "bulk-also": "completed",
      "bulk-dead": "dead",
      "bulk-busy": "processing",
    };
    await waitFor("bulk jobs settled", async () => JSON.stringify(await states()) === JSON.stringify(settled));
    await go("#/jobs?q=bulk-");
    await page.locator("tr[data-job=bulk-busy] [data-state=processing]").waitFor();
    const bar = page.locator(".bulk-bar");
    assert.equal(await bar.locator("button[data-bulk=retry]").isDisabled(), true, "nothing selected, nothing to do");

    // Retry two of them.
    await page.locator("input[data-select=bulk-ok]").check();
    await page.locator("input[data-select=bulk-dead]").check();
    await bar.locator(".bulk-count", { hasText: "2 jobs selected" }).waitFor();
    await bar.locator("button[data-bulk=retry]").click();
    await page.locator("#toast", { hasText: "Retried 2 jobs" }).waitFor();
    await waitFor("the retried jobs ran again", async () => (await queue.attempts("bulk-dead")).length === 2);
    await waitFor("bulk-ok ran again", async () => (await queue.attempts("bulk-ok")).length === 2);
    await waitFor("settled again", async () => JSON.stringify(await states()) === JSON.stringify(settled));
    assert.equal(await page.locator("input[data-select=bulk-ok]").isChecked(), false, "selection cleared");

    // Select all on the page and delete: the running job is refused, the rest go.
    acceptConfirms = true;
    await page.locator("input[data-select-all]").check();
    await bar.locator(".bulk-count", { hasText: "4 jobs selected" }).waitFor();
    // Rows redrawn by the live stream keep their selection.
    await page.locator("tr[data-job=bulk-dead] [data-state=dead]").waitFor();
    await page.locator("tr[data-job=bulk-ok] [data-state=completed]").waitFor();
    assert.equal(await page.locator("input[data-select=bulk-dead]").isChecked(), true);
    await shot("jobs-selected");
    await bar.locator("button[data-bulk=delete]").click();
    await page
      .locator("#toast[data-kind=error]", {
        hasText: "Deleted 3 jobs; 1 refused: job bulk-busy is running: cancel it first",
      })
      .waitFor();
    assert.deepEqual(confirms, ["Delete 4 jobs with their attempts and output?"]);
    await page.locator("tr[data-job=bulk-ok]").waitFor({ state: "detached" });
    for (const id of ["bulk-ok", "bulk-also", "bulk-dead"]) {
      await assert.rejects(queue.get(id), /not found/, `${id} deleted`);
    }
    assert.equal((await queue.get("bulk-busy")).state, "processing");

    // Cancel a waiting job from the list; the running one is left alone.
    await queue.enqueue({ id: "bulk-later", command: "true", run_at: new Date(Date.now() + 3_600_000).toISOString() });
    await page.locator("input[data-select=bulk-later]").check();
    await bar.locator(".bulk-count", { hasText: "1 job selected" }).waitFor();
    await bar.locator("button[data-bulk=cancel]").click();
    await page.locator("#toast", { hasText: "Cancelled 1 job" }).waitFor();
    await page.locator("tr[data-job=bulk-later] [data-state=cancelled]").waitFor();
    assert.equal((await queue.get("bulk-busy")).state, "processing");

    // A running job's page offers neither; once finished, both. Delete goes back to the list.
    await go("#/jobs/bulk-busy");
    await page.locator(".page-head [data-state=processing]").waitFor();
    assert.equal(await page.locator(".page-head button", { hasText: "Delete" }).count(), 0);
    assert.equal(await page.locator(".page-head button", { hasText: "Retry" }).count(), 0);
    writeFileSync(release, "");
    await page.locator(".page-head [data-state=completed]").waitFor();
    await page.locator(".page-head button", { hasText: "Retry" }).click();
    await page.locator("#toast", { hasText: "Job back to pending" }).waitFor();
    await waitFor("bulk-busy ran again", async () => (await queue.attempts("bulk-busy")).length === 2);
    await page.locator(".page-head [data-state=completed]").waitFor();
    await page.locator(".page-head button", { hasText: "Delete" }).click();
    await page.waitForURL((url) => url.hash === "#/jobs");
    await page.locator("#toast", { hasText: "Deleted job bulk-busy" }).waitFor();
    await assert.rejects(queue.get("bulk-busy"), /not found/);
    assert.deepEqual(confirms.at(-1), "Delete job bulk-busy with its attempts and output?");
    acceptConfirms = false;
  });

  it("formats by the server's own rules: 1,048,575 bytes is 1.0 MiB, 119.6 s is 2 min 0 s", async () => {
    // Exactly 1 MiB less one byte on stdout: the size that used to print as "1024.0 KiB".
    await queue.enqueue({ id: "almost-a-mib", command: "head -c 1048575 /dev/zero | tr '\\0' x" });
    await waitFor("almost-a-mib completes", async () => (await queue.get("almost-a-mib")).state === "completed");
    await go("#/jobs/almost-a-mib");
    await page.locator("tr[data-attempt='1'] button", { hasText: "1.0 MiB / 0 B" }).waitFor();
    await page.locator(".output-meta", { hasText: "stdout · 1.0 MiB" }).waitFor();
    // The browser runs the very module the CLI runs, served from the server's build; nothing else of core.
    const shared = await page.evaluate<[string, string, string]>(
      `import("/app/core/format.js").then((m) => [m.duration(119600), m.duration(59999), m.bytes(1048575)])`,
    );
    assert.deepEqual(shared, [duration(119_600), duration(59_999), bytes(1_048_575)]);
    assert.deepEqual(shared, ["2 min 0 s", "1 min 0 s", "1.0 MiB"]);
    assert.equal(await page.evaluate<number>(`fetch("/app/core/queue.js").then((r) => r.status)`), 404);
  });

  it("lists schedules with next and last run; pauses, resumes, runs now and removes one", async () => {
    // Its next slot is months away: only "Run now" makes a job here.
    await queue.schedules.add({ name: "ui-report", cron: "0 0 1 1 *", tz: "Europe/Berlin", command: "echo from-ui" });
    await page.locator("nav a[data-section=schedules]").click();
    const tr = page.locator("tr[data-schedule=ui-report]");
    await tr.waitFor();
    assert.match(await tr.innerText(), /0 0 1 1 \*\s+Europe\/Berlin/);
    assert.match(await tr.innerText(), /never/);
    await tr.getByRole("button", { name: "Run now" }).click();
    // The last run names the job, whose state follows it to completed (a worker runs it).
    await tr.locator(".last-run [data-state=completed]").waitFor();
    const [job] = (await queue.list({ limit: 10 })).jobs.filter((j) => j.schedule === "ui-report");
    assert.ok(job, "Run now made a job of the schedule");
    await tr.locator(`.last-run a[href="#/jobs/${job.id}"]`).waitFor();
    await tr.getByRole("button", { name: "Pause" }).click();
    await tr.locator("[data-state=paused]").waitFor();
    assert.equal((await queue.schedules.get("ui-report")).paused, true);
    await shot("schedules");
    await tr.getByRole("button", { name: "Resume" }).click();
    await tr.getByRole("button", { name: "Pause" }).waitFor();
    assert.equal((await queue.schedules.get("ui-report")).paused, false);
    await go(`#/jobs/${job.id}`);
    await page.locator("dl.facts a[data-schedule=ui-report]").waitFor();
    await go("#/schedules");
    await tr.getByRole("button", { name: "Remove" }).click();
    await page.locator("tr.empty", { hasText: "No schedules yet" }).waitFor();
    assert.deepEqual(await queue.schedules.list(), []);
  });

  it("adds a schedule through the form: a bad cron is shown and adds nothing; the next runs follow", async () => {
    await go("#/schedules");
    const form = page.locator("form.schedule-form");
    await form.locator("#schedule-name").fill("ui-added");
    await form.locator("#schedule-cron").fill("61 * * * *");
    await form.locator("#schedule-command").fill("echo '<b>added</b>'");
    await form.locator("#schedule-queue").fill("reports");
    await form.locator("#schedule-priority").fill("8");
    await form.getByRole("button", { name: "Add schedule" }).click();
    await form.locator("[data-error-for=cron]", { hasText: "cron expression" }).waitFor();
    assert.equal(await form.locator("#schedule-cron").getAttribute("aria-invalid"), "true");
    assert.equal(await form.locator("[data-error-for=name]").textContent(), "");
    assert.deepEqual(await queue.schedules.list(), [], "nothing added");

    await form.locator("#schedule-cron").fill("0 6 * * 1-5");
    await form.locator("#schedule-tz").fill("Europe/Berlin");
    await form.locator("#schedule-catch_up").selectOption("none");
    await form.locator("#schedule-overlap").selectOption("skip");
    await form.getByRole("button", { name: "Add schedule" }).click();
    const tr = page.locator("tr[data-schedule=ui-added]");
    await tr.waitFor();
    assert.equal(await form.locator("[data-error-for=cron]").textContent(), "", "the error is cleared");
    const added = await queue.schedules.get("ui-added");
    assert.deepEqual(
      [added.cron, added.tz, added.command, added.queue, added.priority, added.catch_up, added.overlap],
      ["0 6 * * 1-5", "Europe/Berlin", "echo '<b>added</b>'", "reports", 8, "none", "skip"],
    );
    assert.equal(await tr.locator("code.command").textContent(), "echo '<b>added</b>'");
    assert.equal(await tr.locator("td[data-label=Name] .hint").textContent(), "queue reports");
    assert.equal(await page.locator("table b").count(), 0, "the command is text, never markup");
    // The next runs of the expression: five, the first the schedule's next run.
    const runs = page.locator(".next-runs[data-schedule=ui-added] time");
    await runs.nth(4).waitFor();
    assert.equal(await runs.count(), 5);
    const first = Date.parse((await runs.first().getAttribute("datetime")) ?? "");
    assert.equal(first, added.next_slot);
    await page.evaluate("window.scrollTo(0, 0)"); // the sticky header stays at the top of the shot
    await shot("schedule-add");
    await queue.schedules.remove("ui-added");
  });

  it("drains the workers from the workers view", async () => {
    await go("#/workers");
    const [worker] = await queue.workers();
    assert.ok(worker);
    await page.getByRole("button", { name: "Drain all" }).click();
    await page.locator("tr.empty", { hasText: "No worker is running" }).waitFor();
    await waitFor("the worker process exits", () => !alive(worker.pid));
    assert.deepEqual(pageErrors, []);
    assert.equal(await page.evaluate("window.__noReload"), 1);
  });
});
