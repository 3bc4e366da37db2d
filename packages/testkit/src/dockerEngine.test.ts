// Without a reachable Docker engine the testkit fails with a message saying what to start; it never skips.
import { describe, expect, it } from "vitest";
import { testbedImageTag } from "./imageRecipe.js";

describe("prepareDockerEnvironment", () => {
  it("names what to start when no engine answers", async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///nonexistent/docker.sock";
    try {
      const { prepareDockerEnvironment } = await import("./dockerEngine.js");
      await expect(prepareDockerEnvironment()).rejects.toThrow(/none answers at unix:\/\/\/nonexistent\/docker\.sock.*dockerd/s);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe("testbedImageTag", () => {
  it("is keyed by a hash of the recipe", () => {
    expect(testbedImageTag()).toMatch(/^sftp-connector-testbed:[0-9a-f]{12}$/);
  });
});
