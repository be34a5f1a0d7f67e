/**
 * The WebSocket opening handshake's arithmetic (RFC 6455 section 4): base64, SHA-1 and `Sec-WebSocket-Accept`.
 * Setup-time helpers of `websocket.ts`, run once per connection; engine-neutral (no Node or Moddable API).
 * @module
 */

/** The GUID of RFC 6455 section 1.3, appended to the key to make `Sec-WebSocket-Accept`. */
export const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 (with padding) of `bytes`. Setup time only. */
export function base64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64.charAt(v >> 18) + BASE64.charAt((v >> 12) & 63) + BASE64.charAt((v >> 6) & 63) + BASE64.charAt(v & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out += BASE64.charAt(v >> 18) + BASE64.charAt((v >> 12) & 63) + "==";
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += BASE64.charAt(v >> 18) + BASE64.charAt((v >> 12) & 63) + BASE64.charAt((v >> 6) & 63) + "=";
  }
  return out;
}

/** Bytes of an ASCII/Latin-1 string (one byte per char). Setup time only. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** SHA-1 digest (20 bytes) of `message` (FIPS 180-4). Used once per handshake; not for secrets. */
export function sha1(message: Uint8Array): Uint8Array {
  const length = message.length;
  const total = ((length + 9 + 63) >> 6) << 6;
  const block = new Uint8Array(total);
  block.set(message);
  block[length] = 0x80;
  const bitsHigh = Math.floor(length / 0x20000000);
  const bitsLow = (length * 8) >>> 0;
  block[total - 8] = bitsHigh >>> 24;
  block[total - 7] = (bitsHigh >>> 16) & 0xff;
  block[total - 6] = (bitsHigh >>> 8) & 0xff;
  block[total - 5] = bitsHigh & 0xff;
  block[total - 4] = bitsLow >>> 24;
  block[total - 3] = (bitsLow >>> 16) & 0xff;
  block[total - 2] = (bitsLow >>> 8) & 0xff;
  block[total - 1] = bitsLow & 0xff;
  const w = new Int32Array(80);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let at = 0; at < total; at += 64) {
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
    }
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const t = (rotl(a, 5) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  const hs = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 5; i++) {
    const h = hs[i]!;
    out[i * 4] = h >>> 24;
    out[i * 4 + 1] = (h >>> 16) & 0xff;
    out[i * 4 + 2] = (h >>> 8) & 0xff;
    out[i * 4 + 3] = h & 0xff;
  }
  return out;
}

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 section 4.2.2). */
export function acceptFor(key: string): string {
  return base64(sha1(latin1Bytes(key + WS_GUID)));
}

