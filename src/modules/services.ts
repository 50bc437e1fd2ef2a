import { AnalysisService } from "./analysis/analysis.service.js";
import { ApiKeyService } from "./auth/api-key.service.js";
import { UserService } from "./auth/user.service.js";
import { CompareService } from "./compare/compare.service.js";
import type { ServiceDeps } from "./deps.js";
import { ItemProfileService } from "./item-profile/item-profile.service.js";
import { ModelService } from "./model/model.service.js";
import { ProgressService } from "./progress/progress.service.js";
import { RunService } from "./run/run.service.js";
import { ScenarioService } from "./scenario/scenario.service.js";

/** The per-request services, wired once per request from the caller's deps. */
export function createServices(deps: ServiceDeps) {
  const users = new UserService(deps);
  const apiKeys = new ApiKeyService(deps);
  const models = new ModelService(deps);
  const analyses = new AnalysisService(deps, models);
  const scenarios = new ScenarioService(deps, analyses);
  const itemProfiles = new ItemProfileService(deps, models, analyses, scenarios);
  const runs = new RunService(deps, scenarios, analyses, itemProfiles);
  const progress = new ProgressService(deps, scenarios, analyses, runs);
  const compare = new CompareService(scenarios, runs);
  return {
    users,
    apiKeys,
    models,
    analyses,
    scenarios,
    itemProfiles,
    runs,
    progress,
    compare,
    loaders: deps.loaders,
  };
}

export type Services = ReturnType<typeof createServices>;
