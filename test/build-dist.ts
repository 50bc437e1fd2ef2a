import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BUILD = fileURLToPath(new URL("../bin/build.js", import.meta.url));

/** Builds dist/ (bin/build.js) before the first test when it is missing or older than src/. */
export default function buildDist(): void {
  execFileSync(process.execPath, [BUILD, "--if-stale"], { stdio: "inherit" });
}
