import { IsInt, IsOptional, Max, Min } from "class-validator";
import { applyDecorators } from "./decorators.js";

export const MAX_REPS = 10_000;

/** Replications: an integer from 1 to 10 000. */
export const RepsRules = () => applyDecorators(IsOptional(), IsInt(), Min(1), Max(MAX_REPS));
