import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prefixEnd } from "../../src/core/id-prefix.js";

describe("prefixEnd: the end of the range of strings with a prefix", () => {
  it("is the prefix with its last character counted up, in code point order", () => {
    assert.equal(prefixEnd("ab"), "ac");
    assert.equal(prefixEnd("a\u{D7FF}"), "a\u{E000}", "surrogates are skipped");
    assert.equal(prefixEnd("a\u{FFFF}"), "a\u{10000}");
    assert.equal(prefixEnd("a\u{10FFFF}"), "b", "the last code point carries over");
    assert.equal(prefixEnd("\u{10FFFF}"), null);
    assert.equal(prefixEnd(""), null);
  });

  it("is above every string that starts with the prefix and below every greater one", () => {
    const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    for (const prefix of ["job-", "é", "a\u{FFFF}", "x\u{10FFFF}"]) {
      const end = prefixEnd(prefix)!;
      for (const tail of ["", "\u{10FFFF}\u{10FFFF}", "zzz", "\u{FFFF}"]) {
        assert.ok(cmp(prefix + tail, end) < 0, `${JSON.stringify(prefix + tail)} < end`);
      }
      assert.ok(cmp(end, prefix) > 0);
    }
  });
});
