import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AnalysisResolver } from "../modules/analysis/analysis.resolver.js";
import { authChecker } from "../modules/auth/auth-checker.js";
import { UserResolver } from "../modules/auth/user.resolver.js";
import { ModelResolver } from "../modules/model/model.resolver.js";
import { ScenarioResolver } from "../modules/scenario/scenario.resolver.js";
import "../modules/common/enums.js";

export const RESOLVERS = [UserResolver, ModelResolver, AnalysisResolver, ScenarioResolver] as const;

/** Builds the executable schema from the TypeGraphQL resolvers. */
export async function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: "error",
    validate: { forbidUnknownValues: false },
  });
}
