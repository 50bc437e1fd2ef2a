import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema, type PubSub, type ValidatorFn } from "type-graphql";
import { validate } from "class-validator";
import { badInput, flattenValidation } from "../errors.js";
import { AnalysisResolver } from "../modules/analysis/analysis.resolver.js";
import { authChecker } from "../modules/auth/auth-checker.js";
import { UserResolver } from "../modules/auth/user.resolver.js";
import { ApiKeyResolver } from "../modules/auth/api-key.resolver.js";
import { ModelResolver } from "../modules/model/model.resolver.js";
import { ScenarioResolver } from "../modules/scenario/scenario.resolver.js";
import { RunResolver } from "../modules/run/run.resolver.js";
import { ItemProfileResolver } from "../modules/item-profile/item-profile.resolver.js";
import { ProgressResolver } from "../modules/progress/progress.resolver.js";
import { CompareResolver } from "../modules/compare/compare.resolver.js";
import "../modules/common/enums.js";

export const RESOLVERS = [
  UserResolver,
  ApiKeyResolver,
  ModelResolver,
  AnalysisResolver,
  ScenarioResolver,
  ItemProfileResolver,
  RunResolver,
  ProgressResolver,
  CompareResolver,
] as const;

/**
 * class-validator on every argument object; details are reported under the
 * argument's name (`input.name`), or at top level for @Args classes.
 */
const validateArgs: ValidatorFn = async (value, _type, { args }) => {
  if (value === null || typeof value !== "object") return;
  const items = (Array.isArray(value) ? value : [value]).filter(
    (item): item is object => item !== null && typeof item === "object",
  );
  const errors = (
    await Promise.all(items.map((item) => validate(item, { forbidUnknownValues: false })))
  ).flat();
  if (!errors.length) return;
  const json = JSON.stringify(value);
  const argName = Object.entries(args).find(([, arg]) => arg === value || JSON.stringify(arg) === json)?.[0];
  throw badInput("Input validation failed", flattenValidation(errors, argName));
};

/**
 * TypeGraphQL insists on a pub/sub for schemas with subscriptions, but ours
 * bring their own `subscribe` (services own the topics), so topic-based
 * subscriptions are deliberately unavailable.
 */
const noTopicSubscriptions: PubSub = {
  publish: () => {
    throw new Error("publish through src/pubsub, not TypeGraphQL");
  },
  subscribe: () => {
    throw new Error("subscriptions must declare their own subscribe function");
  },
};

/** Builds the executable schema from the TypeGraphQL resolvers. */
export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: "error",
    validateFn: validateArgs,
    pubSub: noTopicSubscriptions,
  });
}
