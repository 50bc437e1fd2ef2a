/** A model that is valid on paper but cannot be simulated (e.g. it grows without bound). */
export class ModelRuntimeError extends Error {
  override name = "ModelRuntimeError";
}
