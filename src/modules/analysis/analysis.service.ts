import { likeLiteral } from "../../db/like.js";
import { conflict, invalidState, notFound } from "../../errors.js";
import { uniqueViolation } from "../../db/errors.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { TimePeriod, toDbEnum } from "../common/enums.js";
import { paginate } from "../common/pagination.js";
import { withinMaxReps } from "../common/reps.js";
import { ACTIVE_STATES, type ServiceDeps } from "../deps.js";
import type { ModelService } from "../model/model.service.js";
import type { AnalysesArgs, CreateAnalysisInput, UpdateAnalysisInput } from "./analysis.input.js";
import { toAnalysis, type Analysis } from "./analysis.type.js";

function duplicateName(err: unknown, name: string | undefined): never {
  if (
    uniqueViolation(err)?.includes("uq_analyses_tenant_model_name") ||
    uniqueViolation(err)?.includes("name")
  ) {
    throw conflict(`An analysis named "${name}" already exists for this model`, [
      { path: "name", message: "already taken" },
    ]);
  }
  throw err;
}

export class AnalysisService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly models: ModelService,
  ) {}

  list(args: AnalysesArgs) {
    const where: Prisma.AnalysisWhereInput = {
      isDeleted: false,
      ...(args.modelId ? { modelId: args.modelId } : {}),
      ...(args.nameContains
        ? { name: { contains: likeLiteral(args.nameContains), mode: "insensitive" } }
        : {}),
    };
    return paginate(
      where,
      args,
      (a) => this.deps.db.analysis.findMany(a),
      (a) => this.deps.db.analysis.count(a),
      toAnalysis,
    );
  }

  async get(id: string): Promise<Analysis | null> {
    const row = await this.deps.loaders.analysis.load(id);
    return row && !row.isDeleted ? toAnalysis(row) : null;
  }

  /** For relations: the analysis even when soft-deleted. */
  async ref(id: string): Promise<Analysis> {
    const row = await this.deps.loaders.analysis.load(id);
    if (!row) throw notFound("Analysis", id);
    return toAnalysis(row);
  }

  async require(id: string): Promise<Analysis> {
    const analysis = await this.get(id);
    if (!analysis) throw notFound("Analysis", id);
    return analysis;
  }

  async forModel(modelId: string): Promise<Analysis[]> {
    return (await this.deps.loaders.analysesByModel.load(modelId)).map(toAnalysis);
  }

  async create(input: CreateAnalysisInput): Promise<Analysis> {
    const { maxReplications } = this.deps.runtime.limits.model;
    withinMaxReps(input.defaultReps, maxReplications, "input.defaultReps");
    const model = await this.models.require(input.modelId);
    const modelReps = (model.definition as { replications?: unknown }).replications;
    const defaultReps =
      input.defaultReps ??
      (Number.isInteger(modelReps) && (modelReps as number) >= 1 ? (modelReps as number) : 1);
    try {
      const row = await this.deps.db.analysis.create({
        data: {
          tenantId: this.deps.principal.tenantId,
          modelId: model.id,
          name: input.name.trim(),
          description: input.description ?? null,
          defaultReps: Math.min(defaultReps, maxReplications),
          defaultTimePeriod: toDbEnum(input.defaultTimePeriod ?? TimePeriod.DAILY),
          createdByUserId: this.deps.principal.userId,
        },
      });
      return toAnalysis(row);
    } catch (err) {
      duplicateName(err, input.name);
    }
  }

  async update(id: string, input: UpdateAnalysisInput): Promise<Analysis> {
    withinMaxReps(input.defaultReps, this.deps.runtime.limits.model.maxReplications, "input.defaultReps");
    await this.require(id);
    try {
      const row = await this.deps.db.analysis.update({
        where: { id },
        data: {
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.defaultReps !== undefined ? { defaultReps: input.defaultReps } : {}),
          ...(input.defaultTimePeriod !== undefined
            ? { defaultTimePeriod: toDbEnum(input.defaultTimePeriod) }
            : {}),
        },
      });
      return toAnalysis(row);
    } catch (err) {
      duplicateName(err, input.name);
    }
  }

  /** Soft-deletes the analysis and its scenarios; refused while any of them runs. */
  async delete(id: string): Promise<boolean> {
    await this.require(id);
    return this.deps.db.$transaction(async (tx) => {
      const active = await tx.scenario.count({
        where: { analysisId: id, isDeleted: false, state: { in: ACTIVE_STATES } },
      });
      if (active > 0)
        throw invalidState(`Analysis ${id} has ${active} scenario(s) queued or running; cancel them first`);
      await tx.scenario.updateMany({
        where: { analysisId: id, isDeleted: false },
        data: { isDeleted: true },
      });
      await tx.analysis.updateMany({ where: { id }, data: { isDeleted: true } });
      return true;
    });
  }
}
