/**
 * Import rules that keep the layering visible: main → server → modules → runner → lifecycle → simulation.
 * `npm run lint:deps` fails on any cycle (type-only imports included) and on an import against the layers.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle (type-only imports count too) hides which module owns what.",
      from: {},
      to: { circular: true },
    },
    {
      name: "simulation-is-pure",
      severity: "error",
      comment: "The engine imports nothing of ours outside src/simulation (no database, GraphQL or runner).",
      from: { path: "^src/simulation/" },
      to: { path: "^src/", pathNot: "^src/simulation/" },
    },
    {
      name: "import-is-pure",
      severity: "error",
      comment:
        "Model import (format conversion) is a pure library beside the engine: it imports only src/simulation, no database, GraphQL or runner.",
      from: { path: "^src/import/" },
      to: { path: "^src/", pathNot: "^src/(import|simulation)/" },
    },
    {
      name: "runner-below-modules",
      severity: "error",
      comment: "The runner never imports the GraphQL modules or the server.",
      from: { path: "^src/runner/" },
      to: { path: "^src/(modules|server)/" },
    },
    {
      name: "lifecycle-below-runner-and-modules",
      severity: "error",
      comment:
        "The scenario lifecycle (states, transitions, RunStore) is shared by the runner and the modules, so it imports neither.",
      from: { path: "^src/lifecycle/" },
      to: { path: "^src/(runner|modules|server|pubsub)/" },
    },
    {
      name: "modules-below-server",
      severity: "error",
      comment: "Modules never import the server: the server depends on the modules, not the reverse.",
      from: { path: "^src/modules/" },
      to: { path: "^src/server/" },
    },
    {
      name: "src-not-tests",
      severity: "error",
      comment: "Production code never imports test helpers or benches.",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(test|bench)/|\\.test\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/|^test/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
