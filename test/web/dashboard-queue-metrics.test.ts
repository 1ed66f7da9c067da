// The dashboard's metrics of one queue, in a real Chromium: the queue picker switches the figures,
// the Queues page links to them, and a name from the address is shown as text, never as markup.
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

describe("dashboard: metrics of one queue", { skip }, () => {
  let home: ReturnType<typeof tempHome>;
  let queue: Queue;
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const go = async (hash: string): Promise<void> => {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  };
  /** The runs card's figure, once it shows `want`. */
  const runsCard = (want: string) =>
    page.locator(".card", { hasText: "runs" }).locator(".card-value", { hasText: want });

  before(async () => {
    home = tempHome("queuectl-ui-queues-");
    queue = await Queue.open({ db: home.db });
    // alpha: 3 runs, 1 failed; beta: 1 run. Run to the end before the page opens.
    await queue.enqueueMany([
      { command: "true", queue: "alpha" },
      { command: "true", queue: "alpha" },
      { command: "exit 3", queue: "alpha", max_retries: 0 },
      { command: "true", queue: "beta" },
    ]);
    const pool = new WorkerPool(queue, { slots: 2 });
    await pool.start();
    try {
      await waitFor("the 4 jobs finish", async () => {
        const counts = await queue.counts();
        return counts.completed === 3 && counts.dead === 1;
      });
    } finally {
      await pool.stop("now");
    }
    server = await startWebServer({ queue, db: home.db, host: "127.0.0.1", port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await page.locator("#live[data-state=live]").waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close("now");
    await queue?.close();
    home?.cleanup();
  });

  it("the queue picker switches the figures between all queues and one", async () => {
    await go("#/metrics");
    await runsCard("4").waitFor();
    const picker = page.getByRole("combobox", { name: "Queue" });
    // The options come from the queues the store knows.
    await page.locator("select[name=queue] option[value=beta]").waitFor({ state: "attached" });
    assert.deepEqual(await picker.locator("option").allTextContents(), ["all queues", "alpha", "beta"]);

    await picker.selectOption("alpha");
    await page.waitForURL(/#\/metrics\?queue=alpha$/);
    await page.locator("h1", { hasText: "Metrics of alpha" }).waitFor();
    await runsCard("3").waitFor();
    await page.locator(".card", { hasText: "runs" }).locator(".card-note", { hasText: "1 failed" }).waitFor();
    await page
      .locator(".card", { hasText: "success rate" })
      .locator(".card-note", { hasText: "2 completed" })
      .waitFor();
    assert.equal(await page.getByRole("combobox", { name: "Queue" }).inputValue(), "alpha");

    await page.getByRole("combobox", { name: "Queue" }).selectOption("beta");
    await page.waitForURL(/#\/metrics\?queue=beta$/);
    await runsCard("1").waitFor();
    await page.locator(".card", { hasText: "runs" }).locator(".card-note", { hasText: "0 failed" }).waitFor();

    await page.getByRole("combobox", { name: "Queue" }).selectOption("");
    await page.waitForURL(/#\/metrics$/);
    await runsCard("4").waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it("the Queues page links to the metrics of each queue", async () => {
    await go("#/queues");
    await page.locator("a[data-metrics=beta]").click();
    await page.waitForURL(/#\/metrics\?queue=beta$/);
    await runsCard("1").waitFor();
  });

  it("a queue name from the address is text, and a bad one is refused with the API's message", async () => {
    await go("#/metrics?queue=%3Cimg%20src%3Dx%20id%3Dinjected%3E");
    await page.locator("h1", { hasText: "Metrics of <img src=x id=injected>" }).waitFor();
    await page.locator(".cards", { hasText: /queue/ }).waitFor();
    assert.equal(await page.locator("#injected").count(), 0, "the name was parsed as markup");
    assert.deepEqual(pageErrors, []);
  });
});
