import { registerEnumType } from "type-graphql";
import { RunState, ScenarioState } from "../../lifecycle/states.js";
import { Role } from "../auth/principal.js";

export { RunState, ScenarioState };

/** Bucket size of result time series, in simulated time. */
export enum TimePeriod {
  HOURLY = "HOURLY",
  DAILY = "DAILY",
  MONTHLY = "MONTHLY",
}

export enum TargetObjectType {
  MODEL = "MODEL",
  ACTIVITY = "ACTIVITY",
  RESOURCE = "RESOURCE",
  GENERATOR = "GENERATOR",
  ENTITY = "ENTITY",
  CONNECTOR = "CONNECTOR",
  RESOURCE_REQUIREMENT = "RESOURCE_REQUIREMENT",
}

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
