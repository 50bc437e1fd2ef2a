#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader (a runtime dependency).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
