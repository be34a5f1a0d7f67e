/**
 * SenML (RFC 8428) JSON documents, written without allocating.
 *
 * One document per sample, one record per reading:
 * ```json
 * [{"bn":"urn:dev:xsmqtt:dev-0001:","bt":1700000000.123,"n":"sht3x:temperature","u":"Cel","v":21.53},
 *  {"n":"sht3x:humidity","u":"%RH","v":45.2}]
 * ```
 * Record names are `<sensor>:<quantity>` so that two sensors measuring the same quantity (an SHT3x and a
 * BME280 both report temperature) stay distinct; bn + n is a valid SenML name (RFC 8428 §4.5.1).
 * `bt` is the wall-clock time in seconds when the device knows it; without a wall clock the field is
 * omitted, which in SenML means "now" (RFC 8428 §4.5.3).
 *
 * All constant bytes are encoded once by the constructor; {@link SenmlWriter.write} only copies them and
 * writes numbers with the codec's `writeDecimal`.
 * @module
 */

import { utf8Encode, writeAscii, writeDecimal } from "../codec/text.js";
import { KIND_QUANTITIES, type FirmwareConfig } from "./config.js";
import { QUANTITIES } from "./topics.js";

/** One SenML record template: name and unit; the value is supplied per sample. */
export interface SenmlRecord {
  /** Record name (relative to the base name), `[A-Za-z0-9:./_-]`. */
  readonly name: string;
  /** SenML unit symbol (e.g. `Cel`, `%RH`, `Pa`, `lx`). */
  readonly unit: string;
  /** Fixed decimals for the value. */
  readonly decimals: number;
}

/** The SenML base name for a device: `urn:dev:xsmqtt:<deviceId>:`. */
export function senmlBaseName(deviceId: string): string {
  return `urn:dev:xsmqtt:${deviceId}:`;
}

/**
 * The SenML writer of a firmware configuration: one record `<sensor>:<quantity>` per reading, in reading order
 * (sensors as configured, each kind's quantities), or `null` when SenML is off. Setup time; allocates.
 */
export function senmlWriterFor(config: FirmwareConfig): SenmlWriter | null {
  if (!config.senml) return null;
  const records: SenmlRecord[] = [];
  for (const s of config.sensors) {
    for (const q of KIND_QUANTITIES[s.kind])
      records.push({ name: `${s.name}:${q}`, unit: QUANTITIES[q].senmlUnit, decimals: QUANTITIES[q].decimals });
  }
  return new SenmlWriter(config.deviceId, records);
}

/** Writes SenML documents for a fixed list of records into caller-owned buffers. */
export class SenmlWriter {
  readonly #head: Uint8Array;
  readonly #bt: Uint8Array;
  readonly #records: readonly Uint8Array[];
  readonly #decimals: readonly number[];
  readonly #separator: Uint8Array;
  readonly #end: Uint8Array;
  /** Largest document size in bytes (all records present, widest numbers). */
  readonly maxSize: number;

  /**
   * Setup time: encodes every constant part.
   * @param deviceId the device id (goes into the base name)
   * @param records the records, in document order; the index is the record number given to {@link write}
   */
  constructor(deviceId: string, records: readonly SenmlRecord[]) {
    this.#head = utf8Encode(`[{"bn":${JSON.stringify(senmlBaseName(deviceId))},`);
    this.#bt = utf8Encode(`"bt":`);
    this.#records = records.map((r) => utf8Encode(`"n":${JSON.stringify(r.name)},"u":${JSON.stringify(r.unit)},"v":`));
    this.#decimals = records.map((r) => r.decimals);
    this.#separator = utf8Encode(`},{`);
    this.#end = utf8Encode(`}]`);
    let size = this.#head.length + this.#bt.length + 24 + 1 + this.#end.length;
    for (const r of this.#records) size += r.length + 24 + this.#separator.length;
    this.maxSize = size;
  }

  /**
   * Writes one document with the records whose `present[i]` is non-zero, values from `values[i]`.
   * @param buf destination
   * @param offset where to start
   * @param time wall-clock seconds for `bt`, or `NaN` to omit `bt`
   * @param values one value per record (index as given to the constructor)
   * @param present non-zero for records to include
   * @returns the new offset; `offset` itself when no record is present (nothing written); or a negative
   *   codec code (`BUFFER_TOO_SMALL`, `INVALID_NUMBER`) — the buffer content is then unspecified.
   */
  write(buf: Uint8Array, offset: number, time: number, values: ArrayLike<number>, present: ArrayLike<number>): number {
    let o = offset;
    let first = true;
    const count = this.#records.length;
    for (let i = 0; i < count; i++) {
      if (!present[i]) continue;
      if (first) {
        o = writeAscii(buf, o, this.#head);
        if (o < 0) return o;
        if (time === time) {
          o = writeAscii(buf, o, this.#bt);
          if (o < 0) return o;
          o = writeDecimal(buf, o, time, 3);
          if (o < 0) return o;
          if (o >= buf.length) return writeAscii(buf, o, this.#end); // BUFFER_TOO_SMALL
          buf[o++] = 0x2c; // ','
        }
        first = false;
      } else {
        o = writeAscii(buf, o, this.#separator);
        if (o < 0) return o;
      }
      o = writeAscii(buf, o, this.#records[i]!);
      if (o < 0) return o;
      o = writeDecimal(buf, o, values[i] ?? NaN, this.#decimals[i]!);
      if (o < 0) return o;
    }
    if (first) return offset;
    return writeAscii(buf, o, this.#end);
  }
}
