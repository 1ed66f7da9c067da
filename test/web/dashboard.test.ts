import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
      dialogs.push(dialog.message());
      void dialog.dismiss();
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
