import { IsOptional, Length, Matches, MaxLength } from "class-validator";
import { applyDecorators } from "./decorators.js";

/** A display name: 1 to 200 characters, not only white space. */
export const NameRules = () =>
  applyDecorators(Length(1, 200), Matches(/\S/, { message: "$property must not be blank" }));
/** An optional free-text description of at most 10 000 characters. */
export const DescriptionRules = () => applyDecorators(IsOptional(), MaxLength(10_000));
