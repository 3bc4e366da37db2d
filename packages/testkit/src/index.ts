// @sftp-connector/testkit: a real OpenSSH server with SOCKS and HTTP proxies on testcontainers, for testing SFTP connectors.
export { startTestbed, freePorts, fingerprintOf } from "./startTestbed.js";
export type {
  StartTestbedOptions,
  Testbed,
  TestbedKey,
  TestbedProxy,
  ExecResult,
  TestbedAuth,
  TestbedConnectionConfig,
  TestbedConnectionConfigOptions,
} from "./startTestbed.js";
export { waitFor, sha256, rejectionOf, recordCalls, gatedSource, readmeCodeBlock, promisedOutput, runReadmeExample } from "./testing.js";
export type { PathLike, RunReadmeExampleOptions } from "./testing.js";
export { chunkedSource, recordingLogger } from "./chunkedSource.js";
export { countingProvider } from "./countingProvider.js";
export type { CountingProvider, CutOptions, LendingProvider } from "./countingProvider.js";
export { ensureTestbedImage } from "./ensureTestbedImage.js";
export type { EnsureTestbedImageOptions } from "./ensureTestbedImage.js";
export { prepareDockerEnvironment, removeLeftoverTestbeds, TESTBED_LABEL } from "./dockerEngine.js";
export { testbedImageTag, TESTBED_PACKAGES, TESTBED_IMAGE_REPOSITORY, debootstrapBuildScript, debianDockerfile, recipeTag } from "./imageRecipe.js";
export { CLIENT_KEY_NAMES, LEGACY_ONLY_SSHD_CONFIG } from "./renderStartScript.js";
export type { ClientKeyName } from "./renderStartScript.js";
export { startPostgres } from "./startPostgres.js";
export type { StartPostgresOptions, PostgresServer } from "./startPostgres.js";
export { startRedis } from "./startRedis.js";
export type { StartRedisOptions, RedisServer } from "./startRedis.js";
export type { EngineExecOptions } from "./startEngineContainer.js";
export { ensureEngineImage } from "./ensureEngineImage.js";
export { ensureImage } from "./ensureImage.js";
export type { EnsureImageOptions, ImageRecipe, ImageBuilder } from "./ensureImage.js";
export { engineImageTag, engineImageRecipe, ENGINE_PACKAGES, ENGINE_IMAGE_REPOSITORY } from "./engineImageRecipe.js";
