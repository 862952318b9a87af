import type { MemberInfo } from '../context.js';

/** A `when` argument is the instant it names (see core/time/when.ts); null: a `clearable` one cleared (`none`, `-`, `无`). */
export type ArgValue = string | number | Date | MemberInfo | null;

/** Parsed, validated and resolved arguments of one command call. */
export class Args {
  constructor(private readonly values: ReadonlyMap<string, ArgValue>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  int(name: string): number {
    const v = this.values.get(name);
    if (typeof v !== 'number') throw new Error(`argument ${name} is not an integer`);
    return v;
  }

  optionalInt(name: string): number | undefined {
    return this.values.has(name) ? this.int(name) : undefined;
  }

  string(name: string): string {
    const v = this.values.get(name);
    if (typeof v !== 'string') throw new Error(`argument ${name} is not a string`);
    return v;
  }

  optionalString(name: string): string | undefined {
    return this.values.has(name) ? this.string(name) : undefined;
  }

  when(name: string): Date {
    const v = this.values.get(name);
    if (!(v instanceof Date)) throw new Error(`argument ${name} is not a time`);
    return v;
  }

  /** A `clearable` time: the instant, null when cleared (`none`, `-`, `无`), undefined when not given. */
  clearableWhen(name: string): Date | null | undefined {
    if (!this.values.has(name)) return undefined;
    return this.values.get(name) === null ? null : this.when(name);
  }

  member(name: string): MemberInfo {
    const v = this.values.get(name);
    if (v === undefined || v === null || typeof v !== 'object' || v instanceof Date) throw new Error(`argument ${name} is not a member`);
    return v;
  }

  optionalMember(name: string): MemberInfo | undefined {
    return this.values.has(name) ? this.member(name) : undefined;
  }
}
