/** Types of probe.js: the measurement both device publishers share. */
interface Probe {
  report(key: string, value: number | string): void;
  start(): void;
  connected(): void;
  beforePublish(): void;
  afterPublish(): void;
  warm(): void;
  mark(name: string): void;
  finish(messages: number, acked: number, steadyMessages: number): void;
}
declare const probe: Probe;
export default probe;
