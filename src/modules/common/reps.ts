import { IsInt, IsOptional, Max, Min } from "class-validator";
import { REPLICATIONS_CEILING } from "../../config.js";
import { applyDecorators } from "./decorators.js";

/** The field bound; MODEL_MAX_REPLICATIONS may lower it (checked when a run starts). */
export const MAX_REPS = REPLICATIONS_CEILING;

/** Replications: an integer from 1 to 10 000. */
export const RepsRules = () => applyDecorators(IsOptional(), IsInt(), Min(1), Max(MAX_REPS));
