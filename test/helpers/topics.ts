/**
 * Unique MQTT topics per test, so parallel test files (and leftover retained messages from earlier runs)
 * never see each other's traffic.
 * @module
 */
import { randomBytes } from "node:crypto";

let counter = 0;

/**
 * `xsmqtt-test/<prefix>/<pid>-<counter>-<random>`: unique across processes, calls and runs.
 * @param prefix a short scenario name; `/` allowed (it adds levels), wildcards are not.
 */
export function uniqueTopic(prefix: string): string {
  if (/[+#\u0000]/.test(prefix)) throw new RangeError("prefix must not contain MQTT wildcards or NUL");
  counter++;
  return `xsmqtt-test/${prefix}/${process.pid}-${counter}-${randomBytes(4).toString("hex")}`;
}
