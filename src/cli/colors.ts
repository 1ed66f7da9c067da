import pc from "picocolors";

type Colors = ReturnType<typeof pc.createColors>;

/**
 * Whether the CLI's answer on stdout gets colour, decided once per run. picocolors decides by
 * itself at import and counts CI=true as colour-capable, which put escape codes into pipes on CI
 * machines; here only a terminal gets colour by default.
 * - `--no-color` wins over everything (the user said so on this very command line);
 * - FORCE_COLOR: "0" or "false" turns colour off, anything else (even "") on; like Node's own
 *   rule, it wins over NO_COLOR;
 * - NO_COLOR, when set and not empty, turns it off (no-color.org);
 * - otherwise: stdout is a terminal and TERM is not "dumb".
 */
export function colorWanted(flag: boolean, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (!flag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== "dumb";
}

/** The colours every CLI module uses: off until `useColor` has decided. */
export const color: Colors = { ...pc.createColors(false) };

export function useColor(enabled: boolean): void {
  Object.assign(color, pc.createColors(enabled));
}
