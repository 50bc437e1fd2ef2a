import type { AnalysisService } from "../analysis/analysis.service.js";
import type { ServiceDeps } from "../deps.js";
import type { ModelService } from "../model/model.service.js";
import type { Scenario } from "../scenario/scenario.type.js";
import { toItemProfile, type ScenarioItemProfile } from "./item-profile.type.js";

export class ItemProfileService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly models: ModelService,
    private readonly analyses: AnalysisService,
  ) {}

  async forScenario(scenarioId: string): Promise<ScenarioItemProfile[]> {
    return (await this.deps.loaders.itemProfilesByScenario.load(scenarioId)).map(toItemProfile);
  }

  /** The model as the scenario runs it. */
  async effectiveModel(scenario: Scenario): Promise<unknown> {
    const analysis = await this.analyses.ref(scenario.analysisId);
    const model = await this.models.ref(analysis.modelId);
    return { ...(model.definition as object), replications: scenario.reps };
  }
}
