// Cron schedules on PostgreSQL: a schedule firing every second, served by 3 worker processes
// presenting 3 host names, makes exactly one job per slot; and its jobs carry its job options.
import { describe, it } from "node:test";
import { withHarness } from "../cli/harness.js";
import { everySecondByThreeWorkers } from "../cli/schedule-firing.js";
import { scheduleJobOptions } from "../cli/schedule-options.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();

describe("postgres: cron schedule on many hosts", { skip: skip ?? false }, () => {
  it("every second, 3 hosts: one job per slot, none missed", { timeout: 120_000 }, () =>
    withHarness(pgEnv, (h) => everySecondByThreeWorkers(h, ["host-a", "host-b", "host-c"])),
  );
  it("queue, cwd, env and no-retry exit codes: kept, printed, and carried by every job", { timeout: 120_000 }, () =>
    withHarness(pgEnv, scheduleJobOptions),
  );
});
