/** Wire schemas of API.md: the only client code the emulator may import. */
export * from "./common.js";
export * from "./custom-model.js";
export * from "./version.js";
export * from "./test.js";
export * from "./environment.js";
export * from "./dataset.js";
export * from "./credential.js";
export * from "./deployment.js";
