// The recipe of the testbed image (Debian packages, the debootstrap build script, the Dockerfile) and its hash-keyed tag, from builders any Debian-package image shares.
import { createHash } from "node:crypto";

/**
 * A bash script that builds an image without a registry: a Debian bookworm root filesystem made by
 * debootstrap with `packages`, trimmed by the `cleanup` lines (run with `$rootfs` set), imported into
 * Docker. Arguments: IMAGE:TAG. Needs root, debootstrap and the docker CLI. `name` names the
 * temporary root filesystem (`/tmp/<name>-rootfs.XXXXXX`).
 */
export function debootstrapBuildScript(name: string, packages: readonly string[], cleanup: readonly string[]): string {
  return `#!/usr/bin/env bash
set -euo pipefail
tag="\${1:?usage: build.sh IMAGE:TAG}"
mirror="\${SFTP_TESTBED_MIRROR:-http://deb.debian.org/debian}"
rootfs="$(mktemp -d /tmp/${name}-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=${packages.join(",")} bookworm "$rootfs" "$mirror"
${cleanup.join("\n")}
tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag"
`;
}

/** A Dockerfile installing `packages` on `debian:bookworm-slim` and removing `removePaths`, for machines where a registry is reachable. */
export function debianDockerfile(packages: readonly string[], removePaths: readonly string[]): string {
  return `FROM debian:bookworm-slim
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(" ")} \\
 && rm -rf ${removePaths.join(" ")}
`;
}

/** `<repository>:<first 12 hex of sha256(packages, build script, Dockerfile)>`: a changed recipe gets a new tag, so the image is rebuilt. */
export function recipeTag(repository: string, packages: readonly string[], buildScript: string, dockerfile: string): string {
  const hash = createHash("sha256").update(packages.join("\n")).update(buildScript).update(dockerfile).digest("hex").slice(0, 12);
  return `${repository}:${hash}`;
}

/** Debian bookworm packages in the testbed image. Changing the list changes the image tag, so the image is rebuilt. */
export const TESTBED_PACKAGES: readonly string[] = ["openssh-server", "openssh-sftp-server", "openssh-client", "dante-server", "tinyproxy", "procps"];

/** The repository part of the testbed image's name. */
export const TESTBED_IMAGE_REPOSITORY = "sftp-connector-testbed";

/**
 * Builds the image without a registry: a Debian root filesystem made by debootstrap, imported into Docker.
 * Arguments: IMAGE:TAG. Needs root, debootstrap and the docker CLI.
 */
export const DEBOOTSTRAP_BUILD_SCRIPT = debootstrapBuildScript("sftp-testbed", TESTBED_PACKAGES, [
  "# The image carries no host keys (each testbed makes fresh ones) and no package caches.",
  'rm -f "$rootfs"/etc/ssh/ssh_host_*',
  'rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*',
]);

/** The same image from a Dockerfile, for machines where a registry is reachable. */
export const TESTBED_DOCKERFILE = debianDockerfile(TESTBED_PACKAGES, ["/var/lib/apt/lists/*", "/etc/ssh/ssh_host_*"]);

/** The image tag for the current recipe: `sftp-connector-testbed:<first 12 hex of sha256(recipe)>`. */
export function testbedImageTag(): string {
  return recipeTag(TESTBED_IMAGE_REPOSITORY, TESTBED_PACKAGES, DEBOOTSTRAP_BUILD_SCRIPT, TESTBED_DOCKERFILE);
}
