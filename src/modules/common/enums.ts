import { registerEnumType } from "type-graphql";
import { RunState, ScenarioState } from "../../lifecycle/states.js";
import {
  TARGET_OBJECT_TYPES,
  type TargetObjectType as EngineTargetObjectType,
} from "../../simulation/index.js";
import { Role } from "../auth/principal.js";

export { RunState, ScenarioState };

/** Bucket size of result time series, in simulated time. */
export enum TimePeriod {
  HOURLY = "HOURLY",
  DAILY = "DAILY",
  MONTHLY = "MONTHLY",
}

/**
 * A GraphQL enum object built from the engine's list of values: keys and
 * values are the list's members, so the GraphQL enum and the engine's union
 * are one type and cannot drift apart.
 */
export function enumFromList<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.freeze(Object.fromEntries(values.map((v) => [v, v]))) as { readonly [K in T[number]]: K };
}

export const TargetObjectType = enumFromList(TARGET_OBJECT_TYPES);
export type TargetObjectType = EngineTargetObjectType;

registerEnumType(TimePeriod, {
  name: "TimePeriod",
  description: "Bucket size of result time series, in simulated time",
});
registerEnumType(ScenarioState, { name: "ScenarioState", description: "Lifecycle state of a scenario" });
registerEnumType(RunState, { name: "RunState", description: "State of one run attempt" });
registerEnumType(TargetObjectType, {
  name: "TargetObjectType",
  description: "Kind of model object an item profile overrides",
});
registerEnumType(Role, {
  name: "Role",
  description:
    "VIEWER reads; EDITOR also creates, edits, runs and cancels; ADMIN also manages users and keys",
});

/** Database values are the lower-case enum names (see the CHECK constraints). */
export const toDbEnum = (value: string): string => value.toLowerCase();
export const fromDbEnum = <E extends string>(value: string): E => value.toUpperCase() as E;
