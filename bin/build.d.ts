import type { BuildOptions } from "esbuild";

export const ROOT: string;
export const BUNDLE_OPTIONS: BuildOptions;
export function buildState(root?: string): { fresh: true } | { fresh: false; reason: string };
export function build(root?: string): Promise<void>;
