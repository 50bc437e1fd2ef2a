-- Scenario Lab initial schema. CHECK constraints and partial unique indexes are
-- hand-written: Prisma does not model them.

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "slug" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_tenants_self" CHECK ("tenant_id" = "id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "email" VARCHAR(320) NOT NULL,
    "display_name" VARCHAR(200),
    "role" VARCHAR(20) NOT NULL DEFAULT 'viewer',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_users_role" CHECK ("role" IN ('viewer', 'editor', 'admin'))
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "role" VARCHAR(20) NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_api_keys_role" CHECK ("role" IN ('viewer', 'editor', 'admin'))
);

-- CreateTable
CREATE TABLE "models" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "description" TEXT,
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by_user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "models_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_models_version" CHECK ("version" >= 1)
);

-- CreateTable
CREATE TABLE "analyses" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "description" TEXT,
    "default_reps" INTEGER NOT NULL DEFAULT 1,
    "default_time_period" VARCHAR(20) NOT NULL DEFAULT 'daily',
    "created_by_user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "analyses_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_analyses_default_time_period" CHECK ("default_time_period" IN ('hourly', 'daily', 'monthly')),
    CONSTRAINT "ck_analyses_default_reps" CHECK ("default_reps" BETWEEN 1 AND 10000)
);

-- CreateTable
CREATE TABLE "scenarios" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "analysis_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "description" TEXT,
    "reps" INTEGER NOT NULL DEFAULT 1,
    "time_period" VARCHAR(20) NOT NULL DEFAULT 'daily',
    "state" VARCHAR(30) NOT NULL DEFAULT 'not_ready_to_run',
    "state_reason" TEXT,
    "current_rep" INTEGER,
    "total_reps" INTEGER,
    "progress_percentage" DECIMAL(5,2),
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "execution_time_ms" DOUBLE PRECISION,
    "error_message" TEXT,
    "error_details" TEXT,
    "error_stack_trace" TEXT,
    "blob_storage_path" TEXT,
    "results_stale" BOOLEAN NOT NULL DEFAULT false,
    "latest_run_id" UUID,
    "created_by_user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "scenarios_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_scenarios_state" CHECK ("state" IN ('not_ready_to_run', 'ready_to_run', 'queued', 'is_running', 'cancelling', 'cancelled', 'ran_success', 'ran_with_errors')),
    CONSTRAINT "ck_scenarios_time_period" CHECK ("time_period" IN ('hourly', 'daily', 'monthly')),
    CONSTRAINT "ck_scenarios_reps" CHECK ("reps" BETWEEN 1 AND 10000),
    CONSTRAINT "ck_scenarios_progress_percentage" CHECK ("progress_percentage" IS NULL OR "progress_percentage" BETWEEN 0 AND 100)
);

-- CreateTable
CREATE TABLE "scenario_item_profiles" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "scenario_id" UUID NOT NULL,
    "target_object_id" VARCHAR(200) NOT NULL,
    "target_object_type" VARCHAR(30) NOT NULL,
    "property_name" VARCHAR(200) NOT NULL,
    "property_value" JSONB NOT NULL,
    "original_value" JSONB,
    "operation" VARCHAR(20) NOT NULL DEFAULT 'set',
    "description" TEXT,
    "change_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "scenario_item_profiles_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_scenario_item_profiles_target_type" CHECK ("target_object_type" IN ('model', 'activity', 'resource', 'generator', 'entity', 'connector', 'resource_requirement')),
    CONSTRAINT "ck_scenario_item_profiles_operation" CHECK ("operation" IN ('set', 'multiply'))
);

-- CreateTable
CREATE TABLE "scenario_runs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "scenario_id" UUID NOT NULL,
    "state" VARCHAR(20) NOT NULL DEFAULT 'queued',
    "attempt" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "reps" INTEGER NOT NULL,
    "time_period" VARCHAR(20) NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "timeout_seconds" INTEGER,
    "model_hash" CHAR(64) NOT NULL,
    "effective_model" JSONB NOT NULL,
    "current_rep" INTEGER NOT NULL DEFAULT 0,
    "progress_percentage" DECIMAL(5,2) NOT NULL DEFAULT 0,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "execution_time_ms" DOUBLE PRECISION,
    "error_message" TEXT,
    "error_details" TEXT,
    "error_stack_trace" TEXT,
    "results" JSONB,
    "blob_storage_path" TEXT,
    "created_by_user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "scenario_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ck_scenario_runs_state" CHECK ("state" IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT "ck_scenario_runs_time_period" CHECK ("time_period" IN ('hourly', 'daily', 'monthly'))
);

-- CreateIndex
CREATE UNIQUE INDEX "uq_tenants_slug" ON "tenants"("slug");
CREATE UNIQUE INDEX "uq_users_tenant_email" ON "users"("tenant_id", "email");
CREATE UNIQUE INDEX "uq_api_keys_key_hash" ON "api_keys"("key_hash");
CREATE INDEX "ix_api_keys_tenant_user" ON "api_keys"("tenant_id", "user_id");
CREATE INDEX "ix_models_tenant_created" ON "models"("tenant_id", "created_at");
CREATE INDEX "ix_analyses_tenant_model" ON "analyses"("tenant_id", "model_id");
CREATE UNIQUE INDEX "uq_analyses_tenant_model_name" ON "analyses"("tenant_id", "model_id", "name") WHERE NOT "is_deleted";
CREATE INDEX "ix_scenarios_tenant_analysis" ON "scenarios"("tenant_id", "analysis_id");
CREATE INDEX "ix_scenarios_tenant_state" ON "scenarios"("tenant_id", "state");
CREATE UNIQUE INDEX "uq_scenarios_tenant_analysis_name" ON "scenarios"("tenant_id", "analysis_id", "name") WHERE NOT "is_deleted";
CREATE INDEX "ix_scenario_item_profiles_tenant_scenario" ON "scenario_item_profiles"("tenant_id", "scenario_id");
CREATE UNIQUE INDEX "uq_scenprofiles_tenant_scenario_target_prop" ON "scenario_item_profiles"("tenant_id", "scenario_id", "target_object_id", "property_name") WHERE NOT "is_deleted";
CREATE UNIQUE INDEX "uq_scenario_runs_scenario_attempt" ON "scenario_runs"("scenario_id", "attempt");
CREATE INDEX "ix_scenario_runs_tenant_scenario" ON "scenario_runs"("tenant_id", "scenario_id");
CREATE INDEX "ix_scenario_runs_state_priority" ON "scenario_runs"("state", "priority", "queued_at");
-- At most one unfinished run per scenario: concurrent run requests start exactly one.
CREATE UNIQUE INDEX "uq_scenario_runs_one_active" ON "scenario_runs"("scenario_id") WHERE "state" IN ('queued', 'running');

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "models" ADD CONSTRAINT "models_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "analyses" ADD CONSTRAINT "analyses_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "analyses" ADD CONSTRAINT "analyses_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_analysis_id_fkey" FOREIGN KEY ("analysis_id") REFERENCES "analyses"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "scenario_item_profiles" ADD CONSTRAINT "scenario_item_profiles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "scenario_item_profiles" ADD CONSTRAINT "scenario_item_profiles_scenario_id_fkey" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "scenario_runs" ADD CONSTRAINT "scenario_runs_scenario_id_fkey" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE CASCADE ON UPDATE CASCADE;
