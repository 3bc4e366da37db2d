// Makes sure the engines image (PostgreSQL 15 + Redis 7) exists, building it from Debian packages when first needed.
import { ensureImage, type EnsureImageOptions } from "./ensureImage.js";
import { engineImageRecipe } from "./engineImageRecipe.js";

/**
 * Returns the tag of the image `startPostgres` and `startRedis` run, building it when missing
 * (debootstrap + `docker import` as root, else a Dockerfile; about a minute, once, with a lock so
 * parallel test files do not build twice). One image holds both engines: one debootstrap instead of
 * two. `SFTP_ENGINES_IMAGE` names an image to use instead.
 */
export function ensureEngineImage(options: EnsureImageOptions = {}): Promise<string> {
  return ensureImage(engineImageRecipe(), options);
}
