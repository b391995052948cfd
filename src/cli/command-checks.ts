/** Checks of parsed option values for the command-line specs (command-line.ts): each returns the one-line problem or null. */

export type Values = Record<string, string | boolean | string[] | undefined>;
export type Check = (values: Values, positionals: string[]) => string | null;

export const positiveNumber = (name: string) => (values: Values) => {
  const raw = values[name];
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? null : `--${name} must be a positive number, not ${JSON.stringify(raw)}`;
};
export const positiveInteger = (name: string) => (values: Values) => {
  const raw = values[name];
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0
    ? null
    : `--${name} must be a positive whole number, not ${JSON.stringify(raw)}`;
};
export const wholeNumber = (name: string) => (values: Values) => {
  const raw = values[name];
  if (raw === undefined) return null;
  return /^\d+$/.test(String(raw)) ? null : `--${name} must be a whole number, not ${JSON.stringify(raw)}`;
};
export const all =
  (...checks: Check[]) =>
  (values: Values, positionals: string[]): string | null => {
    for (const check of checks) {
      const problem = check(values, positionals);
      if (problem) return problem;
    }
    return null;
  };
