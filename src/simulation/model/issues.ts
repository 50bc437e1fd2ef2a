/**
 * The sink every validator writes to: problems (the model is refused) and
 * warnings (legal but probably not what the author meant), each with the
 * path of the offending value, so one pass reports everything at once.
 */
import type { ValidationIssue } from "../types.js";

export class Issues {
  readonly list: ValidationIssue[] = [];
  readonly warnings: ValidationIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  addAll(issues: readonly ValidationIssue[]): void {
    for (const i of issues) this.list.push(i);
  }
  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
}

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
export const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/** Absent on the wire: undefined or null (serializers omit defaults, readers accept them written out). */
export const isAbsent = (v: unknown): v is undefined | null => v === undefined || v === null;
/** An optional reference: absent, null and "" all mean "none". */
export const isNoRef = (v: unknown): boolean => v === undefined || v === null || v === "";
