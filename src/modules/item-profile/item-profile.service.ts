import { badInput, invalidState, notFound } from "../../errors.js";
import { afterInputChange, scenarioStateOf, toDbState } from "../../lifecycle/index.js";
import { uniqueViolation } from "../../db/errors.js";
import { isUuid } from "../../db/ids.js";
import type { TenantTx } from "../../db/tenant.js";
import type { Prisma, ScenarioItemProfile as ProfileRow } from "../../generated/prisma/client.js";
import {
  validateModel,
  validateOverride,
  type ModelOverride,
  type QuodsiModel,
  type Validated,
} from "../../simulation/index.js";
import type { AnalysisService } from "../analysis/analysis.service.js";
import { toDbEnum } from "../common/enums.js";
import type { ServiceDeps } from "../deps.js";
import type { ModelService } from "../model/model.service.js";
import { boundProblems, effectiveOf, toOverride, under } from "../scenario/effective-model.js";
import type { ScenarioService } from "../scenario/scenario.service.js";
import type { Scenario } from "../scenario/scenario.type.js";
import type { OverrideItemInput, UpdateItemProfileInput } from "./item-profile.input.js";
import { OverrideOperation, toItemProfile, type ScenarioItemProfile } from "./item-profile.type.js";

export class ItemProfileService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly models: ModelService,
    private readonly analyses: AnalysisService,
    private readonly scenarios: ScenarioService,
  ) {}

  async forScenario(scenarioId: string): Promise<ScenarioItemProfile[]> {
    return (await this.deps.loaders.itemProfilesByScenario.load(scenarioId)).map(toItemProfile);
  }

  async get(id: string): Promise<ScenarioItemProfile | null> {
    if (!isUuid(id)) return null;
    const row = await this.deps.db.scenarioItemProfile.findFirst({ where: { id, isDeleted: false } });
    return row ? toItemProfile(row) : null;
  }

  private async definitionOf(scenario: Scenario): Promise<unknown> {
    const analysis = await this.analyses.ref(scenario.analysisId);
    return (await this.models.ref(analysis.modelId)).definition;
  }

  /** The model as the scenario runs it, validated; issues when it is not a valid model. */
  async effective(scenario: Scenario): Promise<Validated<QuodsiModel>> {
    const profiles = await this.deps.loaders.itemProfilesByScenario.load(scenario.id);
    return effectiveOf(await this.definitionOf(scenario), profiles.map(toOverride), scenario.reps);
  }

  /** What `Scenario.effectiveModel` shows: exactly what a run executes (the base with reps when overrides no longer apply). */
  async effectiveModel(scenario: Scenario): Promise<unknown> {
    const result = await this.effective(scenario);
    return result.ok
      ? result.value
      : { ...((await this.definitionOf(scenario)) as object), replications: scenario.reps };
  }

  /** Upserts one override after checking it against the base model and the whole effective model. */
  async override(scenarioId: string, input: OverrideItemInput): Promise<ScenarioItemProfile> {
    const scenario = await this.editable(scenarioId);
    const { targetObjectType, targetObjectId, propertyName, propertyValue } = input;
    const override: ModelOverride = {
      targetObjectType,
      targetObjectId,
      propertyName,
      propertyValue,
      operation: input.operation ?? OverrideOperation.SET,
    };
    const { originalValue } = await this.check(scenario, override, (profiles) => {
      const i = profiles.findIndex(
        (p) => p.targetObjectId === input.targetObjectId && p.propertyName === input.propertyName,
      );
      return i === -1 ? [...profiles, override] : profiles.map((p, j) => (j === i ? override : p));
    });
    const data = {
      targetObjectType: toDbEnum(input.targetObjectType),
      propertyValue: input.propertyValue as Prisma.InputJsonValue,
      originalValue: originalValue as Prisma.InputJsonValue,
      operation: toDbEnum(override.operation!),
      description: input.description ?? null,
      changeReason: input.changeReason ?? null,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const profile = await this.deps.db.$transaction(async (tx) => {
          const existing = await tx.scenarioItemProfile.findFirst({
            where: {
              scenarioId,
              targetObjectId: input.targetObjectId,
              propertyName: input.propertyName,
              isDeleted: false,
            },
          });
          const row = existing
            ? await tx.scenarioItemProfile.update({ where: { id: existing.id }, data })
            : await tx.scenarioItemProfile.create({
                data: {
                  ...data,
                  tenantId: this.deps.principal.tenantId,
                  scenarioId,
                  targetObjectId: input.targetObjectId,
                  propertyName: input.propertyName,
                },
              });
          await this.inputsChanged(tx, scenarioId);
          return toItemProfile(row);
        });
        this.forget(scenarioId);
        return profile;
      } catch (err) {
        // A concurrent upsert of the same key created the row first: update it instead.
        if (attempt === 0 && uniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  async update(id: string, input: UpdateItemProfileInput): Promise<ScenarioItemProfile> {
    const row = await this.require(id);
    const scenario = await this.editable(row.scenarioId);
    const current = toOverride(row);
    const next: ModelOverride = {
      ...current,
      ...(input.propertyValue !== undefined ? { propertyValue: input.propertyValue } : {}),
      ...(input.operation ? { operation: input.operation } : {}),
    };
    await this.check(scenario, next, (profiles) =>
      profiles.map((p) =>
        p.targetObjectId === row.targetObjectId && p.propertyName === row.propertyName ? next : p,
      ),
    );
    const profile = await this.deps.db.$transaction(async (tx) => {
      const updated = await tx.scenarioItemProfile.update({
        where: { id },
        data: {
          propertyValue: next.propertyValue as Prisma.InputJsonValue,
          operation: toDbEnum(next.operation ?? OverrideOperation.SET),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.changeReason !== undefined ? { changeReason: input.changeReason } : {}),
        },
      });
      await this.inputsChanged(tx, row.scenarioId);
      return toItemProfile(updated);
    });
    this.forget(row.scenarioId);
    return profile;
  }

  async remove(id: string): Promise<boolean> {
    const row = await this.require(id);
    await this.editable(row.scenarioId);
    await this.deps.db.$transaction(async (tx) => {
      await tx.scenarioItemProfile.deleteMany({ where: { id } });
      await this.inputsChanged(tx, row.scenarioId);
    });
    this.forget(row.scenarioId);
    return true;
  }

  private async require(id: string): Promise<ProfileRow> {
    const row = isUuid(id)
      ? await this.deps.db.scenarioItemProfile.findFirst({ where: { id, isDeleted: false } })
      : null;
    if (!row) throw notFound("Item profile", id);
    return row;
  }

  /** A live scenario whose inputs may change now. */
  private async editable(scenarioId: string): Promise<Scenario> {
    const scenario = await this.scenarios.require(scenarioId);
    afterInputChange(scenario, `Scenario ${scenarioId}`); // refuses while a run is active
    return scenario;
  }

  /**
   * The override must be valid on its own (paths under `input`) and the
   * scenario's effective model with it must still validate and stay within
   * the service's bounds (MODEL_MAX_*).
   */
  private async check(
    scenario: Scenario,
    override: ModelOverride,
    withOverride: (profiles: ModelOverride[]) => ModelOverride[],
  ) {
    const definition = await this.definitionOf(scenario);
    const base = validateModel(definition);
    if (!base.ok)
      throw badInput("The scenario's base model is not valid", under("effectiveModel", base.issues));
    const own = validateOverride(base.value, override);
    if (!own.ok) throw badInput("Invalid override", under("input", own.issues));
    const profiles = (await this.deps.loaders.itemProfilesByScenario.load(scenario.id)).map(toOverride);
    const result = effectiveOf(definition, withOverride(profiles), scenario.reps);
    if (!result.ok)
      throw badInput("With this override the scenario's model would not be valid", result.issues);
    const beyond = boundProblems(result, this.deps.runtime.limits.model);
    if (beyond.length)
      throw badInput("With this override the scenario's model would exceed the service's limits", beyond);
    return own.value;
  }

  /** Drops the request's cached scenario and profiles after a write. */
  private forget(scenarioId: string): void {
    this.deps.loaders.scenario.clear(scenarioId);
    this.deps.loaders.itemProfilesByScenario.clear(scenarioId);
  }

  /** Inputs changed: a finished scenario is ready again with stale results; refused if a run started meanwhile. */
  private async inputsChanged(tx: TenantTx, scenarioId: string): Promise<void> {
    const row = await tx.scenario.findFirstOrThrow({ where: { id: scenarioId } });
    const from = scenarioStateOf(row.state);
    const next = afterInputChange({ state: from, resultsStale: row.resultsStale }, `Scenario ${scenarioId}`);
    const { count } = await tx.scenario.updateMany({
      where: { id: scenarioId, state: toDbState(from) },
      data: { state: toDbState(next.state), resultsStale: next.resultsStale },
    });
    if (count === 0)
      throw invalidState(`Scenario ${scenarioId} started running meanwhile; its overrides cannot change now`);
  }
}
