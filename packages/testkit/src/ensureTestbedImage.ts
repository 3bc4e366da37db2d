// Makes sure the testbed image exists: an existing local image first, else debootstrap + docker import (as root), else a Dockerfile build.
import { ensureImage, type EnsureImageOptions } from "./ensureImage.js";
import { DEBOOTSTRAP_BUILD_SCRIPT, TESTBED_DOCKERFILE, testbedImageTag } from "./imageRecipe.js";

/** Options of {@link ensureTestbedImage}. */
export type EnsureTestbedImageOptions = EnsureImageOptions;

/**
 * Returns the tag of the testbed image, building it when missing. The tag is keyed by a hash of the
 * recipe, so a changed recipe builds a new image. `SFTP_TESTBED_IMAGE` names an image to use instead.
 */
export function ensureTestbedImage(options: EnsureTestbedImageOptions = {}): Promise<string> {
  return ensureImage(
    { tag: testbedImageTag(), debootstrapScript: DEBOOTSTRAP_BUILD_SCRIPT, dockerfile: TESTBED_DOCKERFILE, overrideEnv: "SFTP_TESTBED_IMAGE" },
    options,
  );
}
