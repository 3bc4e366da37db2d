// The recipe of the testbed image (Debian packages, the debootstrap build script, the Dockerfile) and its hash-keyed tag.
import { createHash } from "node:crypto";

/** Debian bookworm packages in the testbed image. Changing the list changes the image tag, so the image is rebuilt. */
export const TESTBED_PACKAGES: readonly string[] = [
  "openssh-server",
  "openssh-sftp-server",
  "openssh-client",
  "dante-server",
  "tinyproxy",
  "procps",
];

/** The repository part of the testbed image's name. */
export const TESTBED_IMAGE_REPOSITORY = "sftp-connector-testbed";

/**
 * Builds the image without a registry: a Debian root filesystem made by debootstrap, imported into Docker.
 * Arguments: IMAGE:TAG. Needs root, debootstrap and the docker CLI.
 */
export const DEBOOTSTRAP_BUILD_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
tag="\${1:?usage: build.sh IMAGE:TAG}"
mirror="\${SFTP_TESTBED_MIRROR:-http://deb.debian.org/debian}"
rootfs="$(mktemp -d /tmp/sftp-testbed-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=${TESTBED_PACKAGES.join(",")} bookworm "$rootfs" "$mirror"
# The image carries no host keys (each testbed makes fresh ones) and no package caches.
rm -f "$rootfs"/etc/ssh/ssh_host_*
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag"
`;

/** The same image from a Dockerfile, for machines where a registry is reachable. */
export const TESTBED_DOCKERFILE = `FROM debian:bookworm-slim
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${TESTBED_PACKAGES.join(" ")} \\
 && rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_*
`;

/** The image tag for the current recipe: `sftp-connector-testbed:<first 12 hex of sha256(recipe)>`. */
export function testbedImageTag(): string {
  const hash = createHash("sha256")
    .update(TESTBED_PACKAGES.join("\n"))
    .update(DEBOOTSTRAP_BUILD_SCRIPT)
    .update(TESTBED_DOCKERFILE)
    .digest("hex")
    .slice(0, 12);
  return `${TESTBED_IMAGE_REPOSITORY}:${hash}`;
}
