/**
 * The end of the range of strings that start with `prefix`, in code point order (the order of
 * UTF-8 bytes, which both stores compare ids in): every string starting with `prefix` is >= prefix
 * and < the end, so a prefix search is a range scan of the id index. Null when no string ends
 * the range (a prefix of U+10FFFF only, or none at all).
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix].map((c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = points.pop() as number;
    if (last < 0x10ffff) {
      // Surrogate code points are not characters: the next character after U+D7FF is U+E000.
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}
