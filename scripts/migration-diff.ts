import { migrationDrift } from "../src/db/schema-drift.js";

// Prints the SQL a new migration needs so that prisma/migrations matches
// prisma/schema.prisma; save it as prisma/migrations/<timestamp>_<name>/migration.sql.
const sql = await migrationDrift();
process.stdout.write(sql ? `${sql}\n` : "-- prisma/migrations already matches prisma/schema.prisma\n");
