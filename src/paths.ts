import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project's root directory. This file is `src/paths.ts`, and in the build it is part of
 * `dist/main.js` (or `dist/simulation.worker.js`): both one level below the root, so the same
 * relative URL finds the root from the sources (tsx, vitest) and from the bundle.
 */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A path inside the project, from the root (`projectPath("prisma", "migrations")`). */
export const projectPath = (...parts: string[]): string => path.join(PROJECT_ROOT, ...parts);
