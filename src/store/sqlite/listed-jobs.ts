import { LIST_COMMAND_CHARS, type ListedJob } from "../../core/listing.js";
import { toJob, type JobRow } from "./job-rows.js";
import { listedColumns } from "../shared/columns.js";

/**
 * The job columns for list views: the command cut to LIST_COMMAND_CHARS in SQL (substr counts
 * characters), so the long text never reaches JavaScript, and a flag saying it was cut. The flag
 * counts characters only when the byte size (known without reading the text) could exceed them.
 */
export const LISTED_COLUMNS = listedColumns(
  `substr(command, 1, ${LIST_COMMAND_CHARS})`,
  `CASE WHEN octet_length(command) <= ${LIST_COMMAND_CHARS} THEN 0 ELSE length(command) > ${LIST_COMMAND_CHARS} END`,
);

export type ListedRow = JobRow & { command_truncated: 0 | 1 };

export function toListedJob(row: ListedRow): ListedJob {
  return { ...toJob(row), command_truncated: row.command_truncated === 1 };
}
