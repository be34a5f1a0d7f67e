/**
 * Command-line numbers for the long-run scripts: `--name value`.
 * @module
 */

/**
 * @returns the positive number after `name` in `process.argv`, or `fallback` when `name` is absent.
 * @throws RangeError when the value is not a positive finite number.
 */
export function numberOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} needs a positive number`);
  return value;
}
