-- A model records where its definition came from (format, original schema version, up-converted or not).
-- AlterTable
ALTER TABLE "models" ADD COLUMN     "source" JSONB;
