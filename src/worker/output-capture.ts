import type { AttemptOutput } from "../core/types.js";

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
