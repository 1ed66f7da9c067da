import assert from "node:assert/strict";
import { test } from "node:test";
import { OutputCapture } from "../../src/worker/output-capture.js";

test("keeps everything under the limit", () => {
  const capture = new OutputCapture(100);
  capture.write(Buffer.from("hello "));
  capture.write(Buffer.from("world"));
  assert.deepEqual(capture.snapshot(), { data: Buffer.from("hello world"), total_bytes: 11, truncated: false });
});

test("over the limit keeps the head and the tail and marks the cut", () => {
  const capture = new OutputCapture(10);
  for (let i = 0; i < 100; i++) capture.write(Buffer.from(String(i % 10)));
  const { data, total_bytes, truncated } = capture.snapshot();
  assert.equal(total_bytes, 100);
  assert.equal(truncated, true);
  const text = data.toString();
  assert.ok(text.startsWith("01234"), text);
  assert.ok(text.endsWith("56789"), text);
  assert.match(text, /90 bytes cut/);
});

test("a single huge chunk is cut the same way", () => {
  const capture = new OutputCapture(1024);
  capture.write(Buffer.alloc(5 * 1024 * 1024, 0x61));
  const { data, truncated } = capture.snapshot();
  assert.equal(truncated, true);
  assert.ok(data.length < 1024 + 200, `stored ${data.length} bytes`);
});

test("binary bytes pass through untouched", () => {
  const capture = new OutputCapture(100);
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
  capture.write(bytes);
  assert.deepEqual(capture.snapshot().data, bytes);
});

test("a copy kept by deltas equals the capture, at any write sizes and delta points", () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const limit = 1 + random(64);
    const source = new OutputCapture(limit);
    const copy = new OutputCapture(limit);
    let forwarded = 0;
    let byte = 0;
    for (let step = 0; step < 40; step++) {
      const chunk = Buffer.alloc(random(3) === 0 ? random(200) : random(8));
      for (let i = 0; i < chunk.length; i++) chunk[i] = byte++ % 251;
      source.write(chunk);
      if (random(3) === 0) {
        const delta = source.delta(forwarded);
        assert.ok(delta.head.length + delta.tail.length <= limit, "a delta never carries more than the limit");
        copy.apply(delta);
        forwarded = source.totalBytes;
        assert.deepEqual(copy.snapshot(), source.snapshot(), `round ${round}, step ${step}, limit ${limit}`);
      }
    }
  }
});
