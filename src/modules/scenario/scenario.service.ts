import { likeLiteral } from "../../db/like.js";
import { conflict, invalidState, notFound } from "../../errors.js";
import { uniqueViolation } from "../../db/errors.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { afterInputChange, ScenarioState, scenarioStateOf, toDbState } from "../../lifecycle/index.js";
import type { AnalysisService } from "../analysis/analysis.service.js";
import { toDbEnum } from "../common/enums.js";
import { paginate } from "../common/pagination.js";
import { withinMaxReps } from "../common/reps.js";
import { ACTIVE_STATES, type ServiceDeps } from "../deps.js";
import type {
  AnalysisScenariosArgs,
  CreateScenarioInput,
  ScenariosArgs,
  UpdateScenarioInput,
} from "./scenario.input.js";
import { toScenario, type Scenario } from "./scenario.type.js";

const MAX_NAME = 200;

function isNameTaken(err: unknown): boolean {
  const violated = uniqueViolation(err);
  return (
    violated !== undefined &&
    (violated.includes("uq_scenarios_tenant_analysis_name") || violated.includes("name"))
  );
}

function nameTaken(name: string) {
  return conflict(`A scenario named "${name}" already exists in this analysis`, [
    { path: "name", message: "already taken" },
  ]);
}

export class ScenarioService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly analyses: AnalysisService,
  ) {}

  list(args: ScenariosArgs) {
    const f = args.filter ?? {};
    const where: Prisma.ScenarioWhereInput = {
      ...(f.includeDeleted ? {} : { isDeleted: false }),
      ...(f.analysisId ? { analysisId: f.analysisId } : {}),
      ...(f.states?.length ? { state: { in: f.states.map((s) => toDbState(s)) } } : {}),
      ...(f.nameContains ? { name: { contains: likeLiteral(f.nameContains), mode: "insensitive" } } : {}),
      ...(f.createdAfter || f.createdBefore
        ? {
            createdAt: {
              ...(f.createdAfter ? { gte: f.createdAfter } : {}),
              ...(f.createdBefore ? { lt: f.createdBefore } : {}),
            },
          }
        : {}),
    };
    return this.page(where, args);
  }

  forAnalysis(analysisId: string, args: AnalysisScenariosArgs) {
    return this.page(
      {
        analysisId,
        isDeleted: false,
        ...(args.states?.length ? { state: { in: args.states.map((s) => toDbState(s)) } } : {}),
      },
      args,
    );
  }

  private page(where: Prisma.ScenarioWhereInput, args: { first?: number; after?: string }) {
    const { db, loaders } = this.deps;
    return paginate(
      where,
      args,
      async (a) => {
        const rows = await db.scenario.findMany(a);
        // Prime the by-id loader so nested fields reuse these rows.
        for (const row of rows) loaders.scenario.prime(row.id, row);
        return rows;
      },
      (a) => db.scenario.count(a),
      toScenario,
    );
  }

  /** The scenario, including a soft-deleted one (isDeleted tells), or null. */
  async get(id: string): Promise<Scenario | null> {
    const row = await this.deps.loaders.scenario.load(id);
    return row ? toScenario(row) : null;
  }

  /** For relations: the scenario even when soft-deleted. */
  async ref(id: string): Promise<Scenario> {
    const scenario = await this.get(id);
    if (!scenario) throw notFound("Scenario", id);
    return scenario;
  }

  /** Reads the scenario again, bypassing the request's cache (its state moves while runs execute). */
  async reload(id: string): Promise<Scenario> {
    const row = await this.deps.db.scenario.findFirst({ where: { id } });
    if (!row) throw notFound("Scenario", id);
    this.deps.loaders.scenario.clear(id).prime(id, row);
    return toScenario(row);
  }

  /** Every live scenario of an analysis, in creation order. */
  async listLive(analysisId: string): Promise<Scenario[]> {
    const rows = await this.deps.db.scenario.findMany({
      where: { analysisId, isDeleted: false },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map(toScenario);
  }

  /** Live scenarios under a model that cannot run, with the reason recorded. */
  async needingAttention(modelId: string): Promise<Scenario[]> {
    const rows = await this.deps.db.scenario.findMany({
      where: {
        analysis: { modelId },
        isDeleted: false,
        state: toDbState(ScenarioState.NOT_READY_TO_RUN),
        stateReason: { not: null },
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map(toScenario);
  }

  /** A live (not deleted) scenario, or NOT_FOUND. */
  async require(id: string): Promise<Scenario> {
    const scenario = await this.get(id);
    if (!scenario || scenario.isDeleted) throw notFound("Scenario", id);
    return scenario;
  }

  async create(input: CreateScenarioInput): Promise<Scenario> {
    withinMaxReps(input.reps, this.deps.runtime.limits.model.maxReplications, "input.reps");
    const analysis = await this.analyses.require(input.analysisId);
    try {
      const row = await this.deps.db.scenario.create({
        data: {
          tenantId: this.deps.principal.tenantId,
          analysisId: analysis.id,
          name: input.name.trim(),
          description: input.description ?? null,
          reps: input.reps ?? analysis.defaultReps,
          timePeriod: toDbEnum(input.timePeriod ?? analysis.defaultTimePeriod),
          createdByUserId: this.deps.principal.userId,
        },
      });
      return toScenario(row);
    } catch (err) {
      if (isNameTaken(err)) throw nameTaken(input.name.trim());
      throw err;
    }
  }

  async update(id: string, input: UpdateScenarioInput): Promise<Scenario> {
    withinMaxReps(input.reps, this.deps.runtime.limits.model.maxReplications, "input.reps");
    const current = await this.require(id);
    const inputsChange =
      (input.reps !== undefined && input.reps !== current.reps) ||
      (input.timePeriod !== undefined && input.timePeriod !== current.timePeriod);
    const data: Prisma.ScenarioUpdateManyMutationInput = {
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.reps !== undefined ? { reps: input.reps } : {}),
      ...(input.timePeriod !== undefined ? { timePeriod: toDbEnum(input.timePeriod) } : {}),
    };
    return this.deps.db.$transaction(async (tx) => {
      const row = await tx.scenario.findFirst({ where: { id, isDeleted: false } });
      if (!row) throw notFound("Scenario", id);
      const from = scenarioStateOf(row.state);
      if (inputsChange) {
        const next = afterInputChange({ state: from, resultsStale: row.resultsStale }, `Scenario ${id}`);
        Object.assign(data, { state: toDbState(next.state), resultsStale: next.resultsStale });
      }
      try {
        // The state guard makes the check and the write one atomic step.
        const { count } = await tx.scenario.updateMany({
          where: {
            id,
            updatedAt: row.updatedAt,
            ...(inputsChange ? { state: toDbState(from) } : {}),
          },
          data,
        });
        if (count === 0) throw conflict(`Scenario ${id} was changed concurrently; reload and retry`);
      } catch (err) {
        if (isNameTaken(err)) throw nameTaken(String(input.name).trim());
        throw err;
      }
      return toScenario(await tx.scenario.findFirstOrThrow({ where: { id } }));
    });
  }

  /** Soft delete, with the scenario's item profiles; refused while a run is active. */
  async delete(id: string): Promise<boolean> {
    await this.require(id);
    return this.deps.db.$transaction(async (tx) => {
      const { count } = await tx.scenario.updateMany({
        where: { id, isDeleted: false, state: { notIn: ACTIVE_STATES } },
        data: { isDeleted: true },
      });
      if (count === 0) throw invalidState(`Scenario ${id} has a run queued or in progress; cancel it first`);
      await tx.scenarioItemProfile.updateMany({
        where: { scenarioId: id, isDeleted: false },
        data: { isDeleted: true },
      });
      return true;
    });
  }

  /** Brings back a soft-deleted scenario and the item profiles deleted with it. */
  async restore(id: string): Promise<Scenario> {
    const scenario = await this.get(id);
    if (!scenario) throw notFound("Scenario", id);
    if (!scenario.isDeleted) return scenario;
    if (!(await this.analyses.get(scenario.analysisId))) {
      throw invalidState(`Scenario ${id} cannot be restored: its analysis was deleted`);
    }
    try {
      return await this.deps.db.$transaction(async (tx) => {
        await tx.scenario.updateMany({ where: { id }, data: { isDeleted: false } });
        await tx.scenarioItemProfile.updateMany({
          where: { scenarioId: id, isDeleted: true },
          data: { isDeleted: false },
        });
        return toScenario(await tx.scenario.findFirstOrThrow({ where: { id } }));
      });
    } catch (err) {
      if (isNameTaken(err)) throw nameTaken(scenario.name);
      throw err;
    }
  }

  /** Copies the scenario's inputs and item profiles under a new name ("<name> - Copy", numbered when taken). */
  async duplicate(id: string, name?: string): Promise<Scenario> {
    const source = await this.require(id);
    const profiles = await this.deps.loaders.itemProfilesByScenario.load(id);
    const explicit = name?.trim();
    for (let attempt = 1; attempt <= 20; attempt++) {
      const candidate = explicit ?? (await this.freeCopyName(source.analysisId, source.name));
      try {
        return await this.deps.db.$transaction(async (tx) => {
          const row = await tx.scenario.create({
            data: {
              tenantId: this.deps.principal.tenantId,
              analysisId: source.analysisId,
              name: candidate,
              description: source.description,
              reps: source.reps,
              timePeriod: toDbEnum(source.timePeriod),
              // Copies start unvalidated: prepare or run them like any new scenario.
              createdByUserId: this.deps.principal.userId,
            },
          });
          if (profiles.length) {
            await tx.scenarioItemProfile.createMany({
              data: profiles.map((p) => ({
                tenantId: this.deps.principal.tenantId,
                scenarioId: row.id,
                targetObjectId: p.targetObjectId,
                targetObjectType: p.targetObjectType,
                propertyName: p.propertyName,
                propertyValue: p.propertyValue as Prisma.InputJsonValue,
                originalValue: p.originalValue ?? undefined,
                operation: p.operation,
                description: p.description,
                changeReason: p.changeReason,
              })),
            });
          }
          return toScenario(row);
        });
      } catch (err) {
        if (!isNameTaken(err)) throw err;
        if (explicit) throw nameTaken(explicit);
        // A concurrent duplicate took the name; pick the next one.
      }
    }
    throw conflict(`Could not find a free name for a copy of "${source.name}"`);
  }

  private async freeCopyName(analysisId: string, name: string): Promise<string> {
    const base = `${name.slice(0, MAX_NAME - 12)} - Copy`;
    const taken = new Set(
      (
        await this.deps.db.scenario.findMany({
          where: { analysisId, isDeleted: false, name: { startsWith: base } },
          select: { name: true },
        })
      ).map((r) => r.name),
    );
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
  }
}
