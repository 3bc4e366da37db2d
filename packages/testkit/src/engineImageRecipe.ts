// The recipe of the engines image (PostgreSQL 15 and Redis 7 from Debian bookworm in one image) and its hash-keyed tag.
import type { ImageRecipe } from "./ensureImage.js";
import { debianDockerfile, debootstrapBuildScript, recipeTag } from "./imageRecipe.js";

/** Debian bookworm packages in the engines image. Changing the list changes the image tag, so the image is rebuilt. */
export const ENGINE_PACKAGES: readonly string[] = ["postgresql-15", "redis-server", "procps"];

/** The repository part of the engines image's name. */
export const ENGINE_IMAGE_REPOSITORY = "sftp-connector-engines";

/**
 * Builds the engines image without a registry: one debootstrap root filesystem holding both
 * engines, imported into Docker. Arguments: IMAGE:TAG. Needs root, debootstrap and the docker CLI.
 */
export const ENGINE_DEBOOTSTRAP_BUILD_SCRIPT = debootstrapBuildScript("sftp-engines", ENGINE_PACKAGES, [
  "# Each container makes its own data directory; the image keeps no cluster, no dump and no package caches.",
  'rm -rf "$rootfs"/var/lib/postgresql/15/main "$rootfs"/var/lib/redis/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*',
]);

/** The same image from a Dockerfile, for machines where a registry is reachable. */
export const ENGINE_DOCKERFILE = debianDockerfile(ENGINE_PACKAGES, ["/var/lib/apt/lists/*", "/var/lib/postgresql/15/main", "/var/lib/redis/*"]);

/** The image tag for the current recipe: `sftp-connector-engines:<first 12 hex of sha256(recipe)>`. */
export function engineImageTag(): string {
  return recipeTag(ENGINE_IMAGE_REPOSITORY, ENGINE_PACKAGES, ENGINE_DEBOOTSTRAP_BUILD_SCRIPT, ENGINE_DOCKERFILE);
}

/** The engines image's recipe, for `ensureImage`. `SFTP_ENGINES_IMAGE` names an image to use instead. */
export function engineImageRecipe(): ImageRecipe {
  return { tag: engineImageTag(), debootstrapScript: ENGINE_DEBOOTSTRAP_BUILD_SCRIPT, dockerfile: ENGINE_DOCKERFILE, overrideEnv: "SFTP_ENGINES_IMAGE" };
}
