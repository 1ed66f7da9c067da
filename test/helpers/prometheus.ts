import assert from "node:assert/strict";
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from "parse-prometheus-text-format";

/** A parsed scrape, read by metric name and labels. */
export class Scrape {
  readonly families: ParsedFamily[];

  constructor(readonly text: string) {
    this.families = parsePrometheusTextFormat(text);
  }

  family(name: string): ParsedFamily {
    const found = this.families.find((f) => f.name === name);
    assert.ok(found, `metric ${name} is missing from the scrape:\n${this.text}`);
    return found;
  }

  /** The one sample of `name` whose labels include `labels`. */
  sample(name: string, labels: Record<string, string> = {}): ParsedSample {
    const matching = this.family(name).metrics.filter((m) =>
      Object.entries(labels).every(([key, value]) => m.labels?.[key] === value),
    );
    assert.equal(matching.length, 1, `${name}${JSON.stringify(labels)}: ${matching.length} samples`);
    return matching[0] as ParsedSample;
  }

  /** The value of a gauge or counter sample, as a number. */
  value(name: string, labels: Record<string, string> = {}): number {
    return Number(this.sample(name, labels).value);
  }

  /**
   * One series of a histogram. The parser folds histogram samples together unless `le` is their only
   * label, so the series' lines are picked out first and its other labels dropped; `labels` must
   * name all of them.
   */
  histogram(name: string, labels: Record<string, string>): ParsedSample {
    const wanted = Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    const lines = this.text.split("\n").flatMap((line) => {
      if (line === `# TYPE ${name} histogram`) return [line];
      const match = /^(\w+)\{(.*)\}( .*)$/.exec(line);
      if (!match || ![`${name}_bucket`, `${name}_sum`, `${name}_count`].includes(match[1] as string)) return [];
      const pairs = (match[2] as string).split(",");
      if (!wanted.every((pair) => pairs.includes(pair))) return [];
      const rest = pairs.filter((pair) => !wanted.includes(pair));
      return [`${match[1]}${rest.length ? `{${rest.join(",")}}` : ""}${match[3]}`];
    });
    const [family] = parsePrometheusTextFormat(lines.join("\n") + "\n");
    assert.ok(family?.type === "HISTOGRAM", `no histogram ${name}${JSON.stringify(labels)} in:\n${this.text}`);
    assert.equal(family.metrics.length, 1);
    return family.metrics[0] as ParsedSample;
  }

  /** A histogram series' count. */
  count(name: string, labels: Record<string, string>): number {
    return Number(this.histogram(name, labels).count);
  }
}
