// A schedule firing every second on PostgreSQL, served by 3 worker processes presenting 3 host
// names: every slot between the first and the last seen makes exactly one job.
import { describe, it } from "node:test";
import { withHarness } from "../cli/harness.js";
import { everySecondByThreeWorkers } from "../cli/schedule-firing.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();

describe("postgres: cron schedule on many hosts", { skip: skip ?? false }, () => {
  it("every second, 3 hosts: one job per slot, none missed", { timeout: 120_000 }, () =>
    withHarness(pgEnv, (h) => everySecondByThreeWorkers(h, ["host-a", "host-b", "host-c"])),
  );
});
