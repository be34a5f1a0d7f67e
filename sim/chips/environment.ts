/**
 * A plausible, seedable indoor environment as a pure function of simulated time.
 *
 * Every chip asks it for the conditions at the moment its conversion completes, so two chips on the same
 * environment agree, and a run is reproducible from the seed alone: the noise is a hash of
 * (seed, channel, time step), not a stream, so it does not depend on how many chips read it or how often.
 *
 * Documented ranges (t = 0 is midnight unless `startHour` says otherwise):
 * - temperature: 21 °C ± 0.5 (per seed) + daily swing of 3.5 (minimum 03:00, maximum 15:00) + noise ±0.3,
 *   always within {@link ENVIRONMENT_RANGES}.temperature (16.5…25.5 °C);
 * - humidity: anti-correlated, 50 ± 2 (per seed) − 12 × the same swing ± 1 noise, within 35…65 %RH;
 * - pressure: 101325 Pa + 350 Pa drift over ~3.3 days (seeded phase) + noise ±105, within ±500 Pa;
 * - illuminance: 0 lux from 20:00 to 06:00, daylight arc peaking at 13:00 with clouds (65…100 %), ≤ 20,000 lux.
 *
 * Engine-neutral.
 * @module
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Bounds every {@link Environment} reading stays within. */
export const ENVIRONMENT_RANGES = Object.freeze({
  temperature: Object.freeze({ min: 16.5, max: 25.5 }),
  humidity: Object.freeze({ min: 35, max: 65 }),
  pressure: Object.freeze({ min: 100_825, max: 101_825 }),
  illuminance: Object.freeze({ min: 0, max: 20_000 }),
} as const);

/** Physical conditions at one instant. */
export interface EnvironmentReading {
  /** °C. */
  temperature: number;
  /** %RH. */
  humidity: number;
  /** Pa. */
  pressure: number;
  /** lux. */
  illuminance: number;
}

/** What a simulated chip reads its physics from. */
export interface EnvironmentSource {
  /**
   * Fills `out` with the conditions at `timeMs`.
   * @param timeMs - simulated time, ms.
   * @param out - reused result.
   * @returns `out`.
   */
  read(timeMs: number, out: EnvironmentReading): EnvironmentReading;
}

/**
 * mulberry32: a small, fast, seedable PRNG (32-bit state).
 * @param seed - any number (truncated to 32 bits).
 * @returns a function returning uniform numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Stateless hash of three integers to [0, 1) (murmur3-style finalizer).
 * @param a - e.g. the seed.
 * @param b - e.g. a channel number.
 * @param c - e.g. a time step.
 * @returns uniform-looking value in [0, 1).
 */
export function hash01(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= Math.imul((c | 0) ^ ((c / 4294967296) | 0), 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Smooth value noise in [-1, 1]: hashed knots every `periodMs`, smoothstep between. */
function valueNoise(seed: number, channel: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const a = hash01(seed, channel, i);
  const b = hash01(seed, channel, i + 1);
  return (a + (b - a) * s) * 2 - 1;
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}

/** Options of {@link Environment}. */
export interface EnvironmentOptions {
  /** Seed of the per-device offsets and of the noise (default 1). */
  seed?: number;
  /** Hour of day at simulated time 0 (default 0 = midnight). */
  startHour?: number;
}

/** Values to hold constant instead of the model (tests, CLI); `undefined` leaves the model in charge. */
export type EnvironmentOverrides = Partial<EnvironmentReading>;

/** The seeded model described in the module notes. */
export class Environment implements EnvironmentSource {
  /** The seed this instance was built with. */
  readonly seed: number;
  #offsetMs: number;
  #tempBase: number;
  #humBase: number;
  #pressurePhase: number;
  #overrides: EnvironmentOverrides = {};

  /** @param options - seed and start hour. */
  constructor(options: EnvironmentOptions = {}) {
    const seed = (options.seed ?? 1) >>> 0;
    const startHour = options.startHour ?? 0;
    if (!(startHour >= 0 && startHour < 24)) throw new RangeError("startHour must be in [0, 24)");
    this.seed = seed;
    this.#offsetMs = startHour * 3_600_000;
    const random = mulberry32(seed);
    this.#tempBase = 21 + (random() - 0.5); // ±0.5 °C
    this.#humBase = 50 + (random() - 0.5) * 4; // ±2 %RH
    this.#pressurePhase = random() * 2 * Math.PI;
  }

  /**
   * Holds channels constant (merged with earlier overrides); `undefined` values are ignored.
   * @param values - e.g. `{ temperature: 25.08 }`.
   */
  override(values: EnvironmentOverrides): void {
    const o = this.#overrides;
    if (values.temperature !== undefined) o.temperature = values.temperature;
    if (values.humidity !== undefined) o.humidity = values.humidity;
    if (values.pressure !== undefined) o.pressure = values.pressure;
    if (values.illuminance !== undefined) o.illuminance = values.illuminance;
  }

  /** Returns every channel to the model. */
  clearOverrides(): void {
    this.#overrides = {};
  }

  /** {@inheritDoc EnvironmentSource.read} */
  read(timeMs: number, out: EnvironmentReading): EnvironmentReading {
    const seed = this.seed;
    const t = timeMs + this.#offsetMs;
    const hour = ((t % DAY_MS) + DAY_MS) % DAY_MS / 3_600_000;
    const swing = Math.sin((2 * Math.PI * (hour - 9)) / 24); // -1 at 03:00, +1 at 15:00
    const o = this.#overrides;

    const tNoise = 0.25 * valueNoise(seed, 1, t, 1_200_000) + 0.05 * valueNoise(seed, 2, t, 60_000);
    out.temperature = o.temperature ?? clamp(this.#tempBase + 3.5 * swing + tNoise,
      ENVIRONMENT_RANGES.temperature.min, ENVIRONMENT_RANGES.temperature.max);

    const hNoise = 0.8 * valueNoise(seed, 3, t, 900_000) + 0.2 * valueNoise(seed, 4, t, 60_000);
    out.humidity = o.humidity ?? clamp(this.#humBase - 12 * swing + hNoise,
      ENVIRONMENT_RANGES.humidity.min, ENVIRONMENT_RANGES.humidity.max);

    const drift = Math.sin((2 * Math.PI * t) / (3.3 * DAY_MS) + this.#pressurePhase);
    const pNoise = 100 * valueNoise(seed, 5, t, 7_200_000) + 5 * valueNoise(seed, 6, t, 60_000);
    out.pressure = o.pressure ?? clamp(101_325 + 350 * drift + pNoise,
      ENVIRONMENT_RANGES.pressure.min, ENVIRONMENT_RANGES.pressure.max);

    let lux = 0;
    if (hour > 6 && hour < 20) {
      const clouds = 0.65 + 0.35 * (0.5 + 0.5 * valueNoise(seed, 7, t, 1_800_000));
      lux = 20_000 * Math.sin((Math.PI * (hour - 6)) / 14) * clouds;
    }
    out.illuminance = o.illuminance ?? clamp(lux, ENVIRONMENT_RANGES.illuminance.min, ENVIRONMENT_RANGES.illuminance.max);
    return out;
  }
}
