/** A verb of the command: its flags (node:util parseArgs options), its help and what it does. */
import type { ParseArgsConfig } from 'node:util';
import { type Io, UsageError } from './io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Verb {
  name: string;
  summary: string;
  /** The help text below the usage line(s). */
  help: string;
  /** Usage lines, without the leading `hookpost `. */
  usage: string[];
  options: Options;
  run(args: Args, io: Io): Promise<number>;
}

/** Parsed flags and positionals, read with the checks every verb needs. */
export class Args {
  constructor(
    private readonly values: Record<string, string | boolean | Array<string | boolean> | undefined>,
    readonly positionals: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  get json(): boolean {
    return this.flag('json');
  }

  positional(index: number, what: string): string {
    const value = this.positionals[index];
    if (value === undefined) throw new UsageError(`missing ${what}`);
    return value;
  }

  /** A whole number flag in [min, max], or `fallback` when absent. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.string(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} is a whole number from ${min} to ${max}`);
    return value;
  }

  /** A comma-separated list flag (`--events a,b`, or the flag given more than once). */
  list(name: string): string[] | undefined {
    const items = this.strings(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    return items.length > 0 ? items : undefined;
  }
}

export const TENANT_OPTION = { tenant: { type: 'string', short: 't' } } as const satisfies Options;
