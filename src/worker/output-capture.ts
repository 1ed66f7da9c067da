import type { AttemptOutput } from "../core/types.js";

/**
 * What a stream's capture gained since a given byte count, enough for a copy of the capture to
 * catch up (`OutputCapture.apply`): never more than the limit, however much was written.
 */
export interface OutputDelta {
  /** Bytes that extend the head. */
  head: Buffer;
  /** Bytes of the middle that were written but are kept by neither the head nor `tail`. */
  skipped: number;
  /** Bytes that extend the tail; when `skipped` > 0, the whole tail (it replaces the old one). */
  tail: Buffer;
}

/**
 * Keeps at most `limit` bytes of one stream: the first half and the last half of everything
 * written, with the middle cut and marked. Memory stays O(limit) however much a command prints.
 */
export class OutputCapture {
  private readonly headMax: number;
  private readonly tailMax: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(limit: number) {
    this.headMax = Math.floor(limit / 2);
    this.tailMax = limit - this.headMax;
  }

  get totalBytes(): number {
    return this.total;
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    if (this.headBytes < this.headMax) {
      const take = Math.min(this.headMax - this.headBytes, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headBytes += take;
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    // Drop whole chunks that lie entirely outside the tail window.
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0] as Buffer).length >= this.tailMax) {
      this.tailBytes -= (this.tail.shift() as Buffer).length;
    }
  }

  /** What was written after the first `from` bytes, as much of it as is kept (see OutputDelta). */
  delta(from: number): OutputDelta {
    const head = from < this.headBytes ? Buffer.concat(this.head).subarray(from) : Buffer.alloc(0);
    const start = Math.max(from, this.headBytes);
    // The tail holds at least the last tailMax bytes, so a gap means a whole new tail is sent.
    const available = Math.min(this.tailBytes, this.tailMax);
    const wanted = this.total - start;
    const skipped = Math.max(0, wanted - available);
    return { head, skipped, tail: lastBytes(this.tail, wanted - skipped) };
  }

  /** Catches up with the capture a delta was taken from (a worker's copy of a helper's capture). */
  apply(delta: OutputDelta): void {
    this.write(delta.head);
    if (delta.skipped > 0) {
      this.total += delta.skipped;
      this.tail = [];
      this.tailBytes = 0;
    }
    this.write(delta.tail);
  }

  snapshot(): AttemptOutput {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailMax) tail = tail.subarray(tail.length - this.tailMax);
    const cut = this.total - head.length - tail.length;
    if (cut <= 0) return { data: Buffer.concat([head, tail]), total_bytes: this.total, truncated: false };
    const marker = Buffer.from(`\n[queuectl: ${cut} bytes cut here; output-limit keeps the head and the tail]\n`);
    return { data: Buffer.concat([head, marker, tail]), total_bytes: this.total, truncated: true };
  }
}

/** The last `n` bytes of a list of chunks. */
function lastBytes(chunks: Buffer[], n: number): Buffer {
  const picked: Buffer[] = [];
  for (let i = chunks.length - 1; i >= 0 && n > 0; i--) {
    const chunk = chunks[i] as Buffer;
    picked.unshift(chunk.length <= n ? chunk : chunk.subarray(chunk.length - n));
    n -= chunk.length;
  }
  return Buffer.concat(picked);
}
