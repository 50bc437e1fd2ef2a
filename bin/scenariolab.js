#!/usr/bin/env node
// Runs the compiled CLI and service (dist/main.js, bundled from src/ by `npm run build`) in this
// process. A build that is missing or older than its sources is never run: it is rebuilt first
// (bin/build.js, in a child process that has exited before the service starts), and when that is
// not possible (esbuild, a devDependency, is not installed) the command stops with exit code 1
// and a message that says to run `npm run build`.
import { spawnSync } from "node:child_process";
import module from "node:module";
import { fileURLToPath } from "node:url";
import { buildState } from "./build.js";

const state = buildState();
if (!state.fresh) {
  process.stderr.write(`scenariolab: ${state.reason}; rebuilding dist/\n`);
  // The build's output goes to stderr: stdout carries the CLI's own output (JSON lines).
  const built = spawnSync(process.execPath, [fileURLToPath(new URL("./build.js", import.meta.url))], {
    stdio: ["ignore", 2, 2],
  });
  if (built.status !== 0) {
    process.stderr.write(
      "scenariolab: dist/ is missing or out of date and could not be rebuilt; run `npm run build`\n",
    );
    process.exit(1);
  }
}
// Stack traces name src/ files and lines (dist/*.js.map); worker threads inherit this (thread-pool.ts).
// Where Node can (24), only for our code: on Node 20 it also parses the maps of dependencies
// (about 4 MB of heap).
if (typeof module.setSourceMapsSupport === "function")
  module.setSourceMapsSupport(true, { nodeModules: false });
else process.setSourceMapsEnabled(true);
await import("../dist/main.js");
