import { badInput } from '../errors';

/** `--name value` options and bare flags of a command line. */
export function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw badInput(`--${name} needs a value`);
  return value;
}

export function flag(args: readonly string[], name: string): boolean {
  return args.includes(`--${name}`);
}

export function integerOption(args: readonly string[], name: string): number | undefined {
  const value = option(args, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw badInput(`--${name} must be a whole number`);
  return Number(value);
}
