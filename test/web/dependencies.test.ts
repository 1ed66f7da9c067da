// The dependency graph in the API (GET /api/jobs/:id) and on the dashboard's job page, in Chromium.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { Queue } from "../../src/open.js";
import { startWebServer, type WebServer } from "../../src/web/server.js";
import { WorkerPool } from "../../src/worker/pool.js";
import { CHROMIUM, IS_CI, tempHome, waitFor } from "../helpers/env.js";

const skip =
  !existsSync(CHROMIUM) && !IS_CI
    ? `no Chromium at ${CHROMIUM} (set QUEUECTL_TEST_CHROMIUM to run the dashboard tests)`
    : false;

const LATER = "2099-01-01T00:00:00Z";
const MARKUP = `echo "<b id=injected>bold</b>"`;

describe("dependencies: API and job page", { skip }, () => {
  let home: ReturnType<typeof tempHome>;
  let queue: Queue;
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    home = tempHome("queuectl-deps-ui-");
    queue = await Queue.open({ db: home.db });
    // No worker: A waits for its run_at, B for A, C and D for B. Nothing runs.
    await queue.enqueueMany([
      { id: "A", command: "echo a", run_at: LATER },
      { id: "B", command: MARKUP, after: ["A"] },
      { id: "C", command: "echo c", after: ["B"] },
      { id: "D", command: "echo d", after: ["B", "A"] },
    ]);
    server = await startWebServer({ queue, db: home.db, host: "127.0.0.1", port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await server?.close("now");
    await queue?.close();
    home?.cleanup();
  });

  it("GET /api/jobs/:id gives the job's dependencies and dependents with their states", async () => {
    const response = await fetch(new URL("/api/jobs/B", server.url));
    assert.equal(response.status, 200);
    const b = (await response.json()) as Record<string, any>;
    assert.equal(b.blocked, true);
    assert.equal(b.scheduled, false);
    assert.equal(b.blocked_reason, "waiting for 1 job (A)");
    assert.deepEqual(b.after, ["A"]);
    assert.deepEqual(b.dependencies, [
      { id: "A", state: "pending", command: "echo a", blocked: false, satisfied: false },
    ]);
    assert.deepEqual(
      b.dependents.map((d: Record<string, unknown>) => [d.id, d.state, d.blocked]),
      [
        ["C", "pending", true],
        ["D", "pending", true],
      ],
    );
    assert.equal(b.dependents_total, 2);
    const list = (await (await fetch(new URL("/api/jobs?limit=10", server.url))).json()) as {
      jobs: Record<string, any>[];
    };
    const d = list.jobs.find((job) => job.id === "D");
    assert.equal(d?.blocked, true, "lists carry blocked too");
    assert.equal(d?.blocked_reason, "waiting for 2 jobs (A, B)", "lists name what a job waits for");
  });

  it("GET /api/jobs?state=blocked lists only the blocked jobs, each naming what it waits for; a bad state is 400", async () => {
    const response = await fetch(new URL("/api/jobs?state=blocked", server.url));
    assert.equal(response.status, 200);
    const { jobs } = (await response.json()) as { jobs: Record<string, any>[] };
    assert.deepEqual(
      jobs.map((job) => [job.id, job.state, job.blocked, job.blocked_reason]),
      [
        ["D", "pending", true, "waiting for 2 jobs (A, B)"],
        ["C", "pending", true, "waiting for 1 job (B)"],
        ["B", "pending", true, "waiting for 1 job (A)"],
      ],
    );
    const pending = (await (await fetch(new URL("/api/jobs?state=pending", server.url))).json()) as {
      jobs: { id: string }[];
    };
    assert.deepEqual(
      pending.jobs.map((job) => job.id),
      ["D", "C", "B", "A"],
      "pending keeps the blocked jobs",
    );
    const bad = await fetch(new URL("/api/jobs?state=waiting", server.url));
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: string; fields: Record<string, string> };
    assert.match(body.error, /state/);
    assert.ok("state" in body.fields, JSON.stringify(body));
  });

  it("the jobs list filters by blocked and says what each blocked job waits for", async () => {
    await page.goto(new URL("/#/jobs", server.url).href);
    await page.locator("tr[data-job=A]").waitFor();
    await page.locator("select[name=state]").selectOption("blocked");
    await page.waitForURL(/#\/jobs\?state=blocked$/);
    await page.locator("tr[data-job=A]").waitFor({ state: "detached" });
    // The filtered rows may land a moment after the old ones left: wait for the list to settle.
    const shown = () =>
      page.locator("tbody tr[data-job]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-job")));
    await waitFor("the blocked jobs listed", async () => (await shown()).length >= 3);
    assert.deepEqual(await shown(), ["D", "C", "B"]);
    const d = page.locator("tr[data-job=D] td[data-label=State]");
    assert.equal(await d.locator(".badge").getAttribute("data-state"), "blocked");
    assert.equal(await d.locator(".hint").textContent(), "waiting for 2 jobs (A, B)");
    assert.deepEqual(pageErrors, []);
  });

  it("the job page shows the dependencies, this job and its dependents, linked, with state badges", async () => {
    await page.goto(new URL("/#/jobs/B", server.url).href);
    const section = page.locator("[data-section=dependencies]");
    await section.locator("h2", { hasText: "Dependencies" }).waitFor();
    const before = section.locator("[data-side=dependencies] [data-link=A]");
    await before.waitFor();
    assert.equal(await before.locator(".badge").getAttribute("data-state"), "pending");
    assert.equal(await before.locator("a").getAttribute("href"), "#/jobs/A");
    assert.equal(await section.locator("[data-side=self] .badge").getAttribute("data-state"), "blocked");
    for (const id of ["C", "D"]) {
      const item = section.locator(`[data-side=dependents] [data-link=${id}]`);
      assert.equal(await item.locator(".badge").getAttribute("data-state"), "blocked", id);
      assert.equal(await item.locator("a").getAttribute("href"), `#/jobs/${id}`);
    }
    assert.equal(await page.locator("dd", { hasText: "waiting for 1 job (A)" }).count(), 1, "the reason is shown");
    // The command with markup is text: no element was made from it.
    assert.equal(await page.locator("#injected").count(), 0);
    // Following a link goes to that job's page and its own graph.
    await section.locator("[data-side=dependents] [data-link=C] a").click();
    await page.waitForURL(/#\/jobs\/C$/);
    await page.locator("[data-section=dependencies] [data-side=dependencies] [data-link=B]").waitFor();
    assert.equal(
      await page.locator("[data-section=dependencies] [data-side=dependents] p").textContent(),
      "No job waits for it.",
    );
    assert.deepEqual(pageErrors, []);
  });

  it("marks a dependency that completed and was retried since as one the job no longer waits for", async () => {
    await queue.enqueueMany([
      { id: "X", command: "true" },
      { id: "Y", command: "true", after: ["X"], run_at: LATER },
    ]);
    const pool = new WorkerPool(queue, { slots: 1 });
    await pool.start();
    try {
      await waitFor("X to complete", async () => (await queue.get("X")).state === "completed");
    } finally {
      await pool.stop("drain");
    }
    await queue.retryJobs(["X"]);
    assert.equal((await queue.get("X")).state, "pending");
    await page.goto(new URL("/#/jobs/Y", server.url).href);
    const link = page.locator("[data-section=dependencies] [data-side=dependencies] [data-link=X]");
    await link.waitFor();
    assert.equal(await link.locator(".badge").getAttribute("data-state"), "pending");
    assert.equal(await link.locator("[data-satisfied]").textContent(), "completed before");
    // A dependency still waited for carries no such mark.
    await page.goto(new URL("/#/jobs/B", server.url).href);
    await page.locator("[data-section=dependencies] [data-side=dependencies] [data-link=A]").waitFor();
    assert.equal(await page.locator("[data-section=dependencies] [data-satisfied]").count(), 0);
    assert.deepEqual(pageErrors, []);
  });

  it("hides the section for a job with no dependencies either way", async () => {
    await queue.enqueue({ id: "alone", command: "true", run_at: LATER });
    await page.goto(new URL("/#/jobs/alone", server.url).href);
    await page.locator("h1", { hasText: "alone" }).waitFor();
    await page.locator("dd", { hasText: "true" }).first().waitFor();
    assert.equal(await page.locator("[data-section=dependencies]").isHidden(), true);
  });
});
