// text.ts and topic.ts: UTF-8 encode/validate, number writers, topic validation and matching.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUFFER_TOO_SMALL, EMPTY_TOPIC, INVALID_FIELD, INVALID_FILTER, INVALID_NUMBER, INVALID_UTF8, sizeDecimal,
  TOPIC_WILDCARD, topicMatches, utf8Encode, utf8Length, validateTopicFilter, validateTopicName, validateUtf8,
  writeAscii, writeDecimal, writeInteger, writeUtf8,
} from "../../src/codec/index.js";
import { topicFilter, topicName } from "./arbitraries.js";

const ascii = (b: Uint8Array, n: number) => Buffer.from(b.subarray(0, n)).toString("latin1");

/** A string as XS (Moddable's builds, no mxCESU8) presents it: one `charCodeAt` per code point, even above U+FFFF. */
function xsString(text: string): string {
  const points = Array.from(text, (ch) => ch.codePointAt(0)!);
  return { length: points.length, charCodeAt: (i: number) => points[i] ?? NaN } as unknown as string;
}

describe("UTF-8", () => {
  it("a character above U+FFFF seen as one code point (XS) encodes like the surrogate pair (V8)", () => {
    for (const text of ["😀", "a😀é日本z", "capteurs/é/日本/😀/température", "\u{10FFFF}\u{10000}"]) {
      const expected = new TextEncoder().encode(text);
      expect(utf8Length(xsString(text))).toBe(expected.length);
      expect(utf8Encode(xsString(text))).toEqual(expected);
      const buf = new Uint8Array(expected.length);
      expect(writeUtf8(buf, 0, xsString(text))).toBe(expected.length);
      expect(buf).toEqual(expected);
    }
  });

  it("utf8Encode matches TextEncoder for any string (lone surrogates -> U+FFFD)", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }), (a, s) => {
      const str = a + s + a;
      expect(utf8Encode(str)).toEqual(new TextEncoder().encode(str));
      expect(utf8Length(str)).toBe(new TextEncoder().encode(str).length);
    }));
  });

  it("validateUtf8 agrees with a fatal TextDecoder on random bytes (with U+0000 refused too)", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
      let ok = true;
      try { decoder.decode(b); } catch { ok = false; }
      if (b.includes(0)) ok = false;
      expect(validateUtf8(b, 0, b.length)).toBe(ok ? 0 : INVALID_UTF8);
    }), { numRuns: 5000 });
  });

  it("writeUtf8 refuses a short buffer without writing", () => {
    const b = new Uint8Array(3).fill(1);
    expect(writeUtf8(b, 0, "€a")).toBe(BUFFER_TOO_SMALL);
    expect(b).toEqual(Uint8Array.of(1, 1, 1));
    expect(writeUtf8(new Uint8Array(4), 0, "€a")).toBe(4);
  });
});

describe("number writers", () => {
  function dec(value: number, decimals: number): string | number {
    const b = new Uint8Array(40);
    const n = writeDecimal(b, 0, value, decimals);
    if (n < 0) return n;
    expect(sizeDecimal(value, decimals)).toBe(n);
    return ascii(b, n);
  }

  it("prints fixed decimals, rounding half away from zero", () => {
    expect(dec(21.5, 1)).toBe("21.5");
    expect(dec(0.125, 2)).toBe("0.13");
    expect(dec(-0.125, 2)).toBe("-0.13");
    expect(dec(2.5, 0)).toBe("3");
    expect(dec(-2.5, 0)).toBe("-3");
    expect(dec(9.995, 2)).toBe(9.995.toFixed(2)); // the binary value is below the tie
    expect(dec(9.9999, 2)).toBe("10.00");
    expect(dec(-9.9999, 3)).toBe("-10.000");
    expect(dec(1013.25, 0)).toBe("1013");
    expect(dec(7, 3)).toBe("7.000");
  });

  it("prints -0 and values rounding to zero without a sign", () => {
    expect(dec(-0, 2)).toBe("0.00");
    expect(dec(-0.001, 2)).toBe("0.00");
    expect(dec(-0.4, 0)).toBe("0");
  });

  it("handles magnitudes up to 2^53 and refuses NaN, Infinity, beyond 2^53 and bad decimals", () => {
    expect(dec(2 ** 53, 0)).toBe("9007199254740992");
    expect(dec(-(2 ** 53), 2)).toBe("-9007199254740992.00");
    expect(dec(2 ** 53 - 1, 1)).toBe("9007199254740991.0");
    expect(dec(NaN, 2)).toBe(INVALID_NUMBER);
    expect(dec(Infinity, 2)).toBe(INVALID_NUMBER);
    expect(dec(-Infinity, 0)).toBe(INVALID_NUMBER);
    expect(dec(2 ** 53 + 2, 0)).toBe(INVALID_NUMBER);
    expect(dec(1, 10)).toBe(INVALID_FIELD);
    expect(dec(1, 1.5)).toBe(INVALID_FIELD);
  });

  it("matches toFixed (sign of zero removed) for random values and decimals", () => {
    fc.assert(fc.property(
      fc.oneof(fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 1000), fc.integer({ min: -4000, max: 4000 }).map((n) => n / 8)),
      fc.integer({ min: 0, max: 9 }),
      (value, decimals) => {
        const expected = value.toFixed(decimals).replace(/^-(0(\.0*)?)$/, "$1");
        expect(dec(value, decimals)).toBe(expected);
      },
    ), { numRuns: 20_000 });
  });

  it("refuses a short buffer for every length below the size, writing nothing", () => {
    for (const [v, d] of [[-123.456, 2], [0, 0], [2 ** 53, 3]] as const) {
      const size = sizeDecimal(v, d);
      for (let n = 0; n < size; n++) {
        const b = new Uint8Array(n).fill(0x7e);
        expect(writeDecimal(b, 0, v, d)).toBe(BUFFER_TOO_SMALL);
        expect(b.every((x) => x === 0x7e)).toBe(true);
      }
    }
  });

  it("writeInteger rounds and writeAscii copies ASCII", () => {
    const b = new Uint8Array(16);
    expect(ascii(b, writeInteger(b, 0, -41.5))).toBe("-42");
    const n = writeAscii(b, 0, "ok:");
    expect(ascii(b, writeAscii(b, n, utf8Encode("1")))).toBe("ok:1");
    expect(writeAscii(b, 0, "é")).toBe(INVALID_FIELD);
    expect(writeAscii(b, 15, "ab")).toBe(BUFFER_TOO_SMALL);
  });
});

describe("topics", () => {
  const name = (s: string) => { const b = utf8Encode(s); return validateTopicName(b, 0, b.length); };
  const filter = (s: string) => { const b = utf8Encode(s); return validateTopicFilter(b, 0, b.length); };
  const matches = (f: string, t: string) => {
    const fb = utf8Encode(f);
    const tb = utf8Encode(t);
    return topicMatches(fb, 0, fb.length, tb, 0, tb.length);
  };

  it("validates names and filters", () => {
    expect(name("a/b/c")).toBe(0);
    expect(name("/")).toBe(0);
    expect(name("")).toBe(EMPTY_TOPIC);
    expect(name("a/+")).toBe(TOPIC_WILDCARD);
    expect(name("a#")).toBe(TOPIC_WILDCARD);
    for (const ok of ["#", "+", "a/#", "+/+", "/+/", "a/+/b/#", "$SYS/#", "+/#"]) expect(filter(ok)).toBe(0);
    for (const bad of ["a#", "#/a", "a/#/", "a+", "+a", "a/b+", "##", "++"]) expect(filter(bad)).toBe(INVALID_FILTER);
    expect(filter("")).toBe(EMPTY_TOPIC);
  });

  it("matches per the spec examples", () => {
    const table: [string, string, boolean][] = [
      ["sport/tennis/player1/#", "sport/tennis/player1", true],
      ["sport/tennis/player1/#", "sport/tennis/player1/ranking", true],
      ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true],
      ["sport/#", "sport", true],
      ["sport/tennis/+", "sport/tennis/player1", true],
      ["sport/tennis/+", "sport/tennis/player1/ranking", false],
      ["sport/+", "sport", false],
      ["sport/+", "sport/", true],
      ["+/+", "/finance", true],
      ["/+", "/finance", true],
      ["+", "/finance", false],
      ["#", "$SYS/x", false],
      ["+/monitor/Clients", "$SYS/monitor/Clients", false],
      ["$SYS/#", "$SYS/monitor/Clients", true],
      ["$SYS/monitor/+", "$SYS/monitor/Clients", true],
      ["a/b", "a/b", true],
      ["a/b", "a/bc", false],
      ["a/b", "a", false],
      ["a/+/#", "a/b", true],
    ];
    for (const [f, t, expected] of table) expect(matches(f, t), `${f} vs ${t}`).toBe(expected);
  });

  it("agrees with a level-splitting reference matcher on random filters and names", () => {
    const reference = (f: string, t: string): boolean => {
      if (t.startsWith("$") && (f.startsWith("+") || f.startsWith("#"))) return false;
      const fl = f.split("/");
      const tl = t.split("/");
      for (let i = 0; i < fl.length; i++) {
        if (fl[i] === "#") return true;
        if (i >= tl.length) return false;
        if (fl[i] !== "+" && fl[i] !== tl[i]) return false;
      }
      return fl.length === tl.length;
    };
    fc.assert(fc.property(topicFilter, topicName, (f, t) => {
      expect(matches(f, t)).toBe(reference(f, t));
    }), { numRuns: 5000 });
    // Derived pairs match more often: a filter made from the name itself.
    fc.assert(fc.property(topicName, fc.array(fc.boolean()), (t, plus) => {
      const f = t.split("/").map((l, i) => (plus[i] ? "+" : l)).join("/");
      expect(matches(f, t)).toBe(!(t.startsWith("$") && f.startsWith("+")));
    }), { numRuns: 2000 });
  });
});
