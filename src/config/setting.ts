import { z } from 'zod';

/** How one environment variable is read: its schema, default and what a valid value looks like. */
export const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const url = z.string().url();

export interface Setting {
  schema: z.ZodTypeAny;
  expectation: string;
  default?: string;
}
