/**
 * The `extensions` of a response that reports what it cost (see
 * server/plugins/costPlugin.ts): the OneLogin calls estimated before it ran,
 * the calls it made, and the most one request may make (50 by default).
 */
export function cost(
  estimated: number,
  actual: number,
  max = 50,
): { cost: { estimated: number; actual: number; max: number } } {
  return { cost: { estimated, actual, max } };
}
