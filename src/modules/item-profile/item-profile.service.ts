import { validateModel, type QuodsiModel, type Validated } from "../../simulation/index.js";
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

  /** The model as the scenario runs it, validated; issues when it is not a valid model. */
  async effective(scenario: Scenario): Promise<Validated<QuodsiModel>> {
    const analysis = await this.analyses.ref(scenario.analysisId);
    const model = await this.models.ref(analysis.modelId);
    return validateModel({ ...(model.definition as object), replications: scenario.reps });
  }

  /** What `Scenario.effectiveModel` shows: exactly what a run would execute. */
  async effectiveModel(scenario: Scenario): Promise<unknown> {
    const result = await this.effective(scenario);
    if (result.ok) return result.value;
    const analysis = await this.analyses.ref(scenario.analysisId);
    return { ...((await this.models.ref(analysis.modelId)).definition as object), replications: scenario.reps };
  }
}
