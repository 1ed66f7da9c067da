import { randomInt } from "node:crypto";

/** New job ids (no zod here: the worker and the on-dead hook make ids without loading validation). */

const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case
const TIME_CHARS = 9; // 45 bits of milliseconds: good until the year 3084
const TAIL_CHARS = 7; // 35 bits, random at each new millisecond, then counted up
const TAIL_SPACE = 32 ** TAIL_CHARS;

let lastMs = 0;
let tail = 0;

/**
 * 16 base32 characters: the time in ms, then a random tail counted up within a millisecond (as
 * ULIDs do). Ids made later sort later, so the indexes keyed by job id (jobs, attempts) grow at
 * their end instead of at random pages: measured, a claim + finish cycle of 8 jobs wrote 7 random
 * pages of the attempts index with random ids. Collisions: two processes would have to draw
 * overlapping tails in the same millisecond (1 in ~34 billion); the store rejects a duplicate.
 */
export function newJobId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    tail = randomInt(TAIL_SPACE / 2); // the lower half: room to count up without overflowing
  } else if (++tail >= TAIL_SPACE) {
    lastMs++;
    tail = 0;
  }
  return base32(lastMs, TIME_CHARS) + base32(tail, TAIL_CHARS);
}

function base32(value: number, chars: number): string {
  let out = "";
  for (let i = 0; i < chars; i++) {
    out = ID_ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}
