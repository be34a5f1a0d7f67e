/**
 * Topic names and filters over bytes: validation and `+`/`#` matching with the `$` rule. No strings are built.
 * Iterating the filter list of a decoded SUBSCRIBE/UNSUBSCRIBE (server role) is in `subscribe-server.ts`.
 * @module
 */
import { EMPTY_TOPIC, INVALID_FILTER, INVALID_UTF8, STRING_TOO_LONG, TOPIC_WILDCARD } from "./codes.js";
import { validateSequence } from "./text.js";

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;

/**
 * Validates a topic name (PUBLISH, will topic): non-empty, at most 65,535 bytes, well-formed UTF-8 without
 * U+0000, no `+` or `#` [MQTT-4.7.1-1].
 * @returns 0, or `EMPTY_TOPIC`, `STRING_TOO_LONG`, `TOPIC_WILDCARD`, `INVALID_UTF8`
 */
export function validateTopicName(buf: Uint8Array, offset: number, length: number): number {
  if (length === 0) return EMPTY_TOPIC;
  if (length > 0xffff) return STRING_TOO_LONG;
  const end = offset + length;
  let i = offset;
  for (;;) {
    // Four bytes per step while they are all plain ASCII (1..0x7f, not '+' or '#'). `w` packs them; a byte of
    // `w` is zero iff it is U+0000, a byte of `v` is zero iff it is '#' (0x23) or '+' (0x2b) (`b | 8` maps both,
    // and only them, to 0x2b); `(x - 0x01..) & ~x & 0x80..` is non-zero iff `x` has a zero byte; `w & 0x80..`
    // catches bytes >= 0x80. Any hit leaves the block to the byte-wise step below, which finds the first
    // offending byte in order, so the codes are the same as a byte-wise scan.
    for (; i + 4 <= end; i += 4) {
      const w = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
      const v = (w | 0x08080808) ^ 0x2b2b2b2b;
      if ((((w - 0x01010101) & ~w) | ((v - 0x01010101) & ~v) | w) & 0x80808080) break;
    }
    if (i >= end) return 0;
    const c = buf[i]!;
    if (c < 0x80) {
      if (c === PLUS || c === HASH) return TOPIC_WILDCARD;
      if (c === 0) return INVALID_UTF8;
      i++;
    } else {
      i = validateSequence(buf, i, end);
      if (i < 0) return INVALID_UTF8;
    }
  }
}

/**
 * Validates a topic filter (SUBSCRIBE, UNSUBSCRIBE): non-empty, at most 65,535 bytes, well-formed UTF-8,
 * `#` only as a whole last level, `+` only as a whole level [MQTT-4.7.1-2], [MQTT-4.7.1-3].
 * @returns 0, or `EMPTY_TOPIC`, `STRING_TOO_LONG`, `INVALID_FILTER`, `INVALID_UTF8`
 */
export function validateTopicFilter(buf: Uint8Array, offset: number, length: number): number {
  if (length === 0) return EMPTY_TOPIC;
  if (length > 0xffff) return STRING_TOO_LONG;
  const end = offset + length;
  let i = offset;
  while (i < end) {
    const c = buf[i]!;
    if (c < 0x80) {
      if (c === PLUS || c === HASH) {
        // Alone in its level: preceded by start or '/', followed by end or '/'; '#' must also be last.
        if (i > offset && buf[i - 1] !== SLASH) return INVALID_FILTER;
        if (c === HASH ? i + 1 !== end : i + 1 < end && buf[i + 1] !== SLASH) return INVALID_FILTER;
      } else if (c === 0) return INVALID_UTF8;
      i++;
    } else {
      i = validateSequence(buf, i, end);
      if (i < 0) return INVALID_UTF8;
    }
  }
  return 0;
}

/**
 * Whether a topic name matches a (valid) topic filter, byte by byte. `#` also matches the parent level
 * (`a/#` matches `a`); `+` matches one level, possibly empty. A filter starting with a wildcard does not match
 * a topic starting with `$` [MQTT-4.7.2-1].
 * @returns true on a match
 */
export function topicMatches(
  filter: Uint8Array, fOffset: number, fLength: number,
  topic: Uint8Array, tOffset: number, tLength: number,
): boolean {
  const fEnd = fOffset + fLength;
  const tEnd = tOffset + tLength;
  let f = fOffset;
  let t = tOffset;
  if (fLength === 0 || tLength === 0) return false;
  if (topic[t] === DOLLAR && (filter[f] === HASH || filter[f] === PLUS)) return false;
  while (f < fEnd) {
    const c = filter[f]!;
    if (c === HASH) return true;
    if (c === PLUS) {
      while (t < tEnd && topic[t] !== SLASH) t++;
      f++;
      if (f === fEnd) return t === tEnd;
      // filter[f] is '/': the topic must continue with a level too, or the rest must be "/#".
      if (t === tEnd) return f + 2 === fEnd && filter[f + 1] === HASH;
      f++;
      t++;
      continue;
    }
    if (t === tEnd) return c === SLASH && f + 2 === fEnd && filter[f + 1] === HASH;
    if (topic[t] !== c) return false;
    f++;
    t++;
  }
  return t === tEnd;
}
