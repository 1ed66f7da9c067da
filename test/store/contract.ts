/**
 * The Store contract suite lives in ./contract/ (one file per area, `exercise` registers them
 * all). This module keeps the old import path working for files that need the handle types and
 * the case helpers.
 */
export {
  LEASE,
  beat,
  claimOne,
  finished,
  mustGet,
  newJob,
  output,
  rejectsWith,
  storeCase,
  type MakeStore,
  type StoreHandle,
} from "./contract/harness.js";
export { exercise } from "./contract/index.js";
