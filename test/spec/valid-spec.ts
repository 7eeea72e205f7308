/** A CustomModel spec that passes the schema: the base property tests patch arbitrary values into. */
export const VALID_SPEC = {
  targetType: "Binary",
  targetName: "y",
  positiveClassLabel: "1",
  negativeClassLabel: "0",
  environment: { ref: "env" },
  source: { path: "./src", exclude: ["tests/**"] },
  resources: { memory: "512Mi", replicas: 1 },
  runtimeParameters: { A: 1, B: { credential: "c" } },
  test: { dataset: { ref: "d" }, checks: { sideEffects: "warn" } },
};
