import { IsInt, IsOptional, Max, Min } from "class-validator";
import { REPLICATIONS_CEILING } from "../../config.js";
import { badInput } from "../../errors.js";
import { applyDecorators } from "./decorators.js";

/** The field bound; MODEL_MAX_REPLICATIONS may lower it (see withinMaxReps). */
export const MAX_REPS = REPLICATIONS_CEILING;

/** Replications: an integer from 1 to 10 000. */
export const RepsRules = () => applyDecorators(IsOptional(), IsInt(), Min(1), Max(MAX_REPS));

/**
 * BAD_USER_INPUT naming `path` when `reps` is above the service's
 * MODEL_MAX_REPLICATIONS; a run checks its effective model again (the setting may change).
 */
export function withinMaxReps(reps: number | undefined, max: number, path: string): void {
  if (reps !== undefined && reps > max)
    throw badInput("Input validation failed", [{ path, message: `must not be greater than ${max}` }]);
}
