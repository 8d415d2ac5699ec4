import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hubCacheDirectory, readHubEnvironment } from "./hub-environment.js";

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "embedeval-hf-env-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("the Hugging Face environment", () => {
  it("places the cache as huggingface_hub does: HF_HUB_CACHE, else $HF_HOME/hub, else XDG, else ~/.cache", () => {
    expect(hubCacheDirectory({ HF_HUB_CACHE: "/c", HF_HOME: "/h" })).toBe("/c");
    expect(hubCacheDirectory({ HUGGINGFACE_HUB_CACHE: "/old" })).toBe("/old");
    expect(hubCacheDirectory({ HF_HOME: "/h", XDG_CACHE_HOME: "/x" })).toBe(join("/h", "hub"));
    expect(hubCacheDirectory({ XDG_CACHE_HOME: "/x", HOME: "/u" })).toBe(join("/x", "huggingface", "hub"));
    expect(hubCacheDirectory({ HOME: "/u" })).toBe(join("/u", ".cache", "huggingface", "hub"));
  });

  it("reads the endpoint without its trailing slash and HF_HUB_OFFLINE's true values only", async () => {
    const read = (environment: Record<string, string>) =>
      readHubEnvironment({ HF_HOME: home, ...environment });
    expect((await read({ HF_ENDPOINT: "https://mirror.example/" })).endpoint).toBe("https://mirror.example");
    expect((await read({})).endpoint).toBe("https://huggingface.co");
    for (const value of ["1", "ON", "yes", "True"])
      expect((await read({ HF_HUB_OFFLINE: value })).offline).toBe(true);
    for (const value of ["0", "false", "", "off"])
      expect((await read({ HF_HUB_OFFLINE: value })).offline).toBe(false);
    expect((await read({ TRANSFORMERS_OFFLINE: "1" })).offline).toBe(true);
  });

  it("takes the token from HF_TOKEN, else HF_TOKEN_PATH, else $HF_HOME/token, naming its source", async () => {
    await writeFile(join(home, "token"), "hf_from_home\n");
    const elsewhere = join(home, "other-token");
    await writeFile(elsewhere, "  hf_from_path  ");
    expect(await readHubEnvironment({ HF_HOME: home, HF_TOKEN: "hf_env" })).toMatchObject({
      token: "hf_env",
      tokenSource: "HF_TOKEN",
    });
    expect(await readHubEnvironment({ HF_HOME: home, HF_TOKEN_PATH: elsewhere })).toMatchObject({
      token: "hf_from_path",
      tokenSource: elsewhere,
    });
    expect(await readHubEnvironment({ HF_HOME: home })).toMatchObject({
      token: "hf_from_home",
      tokenSource: join(home, "token"),
    });
    expect((await readHubEnvironment({ HF_HOME: join(home, "none") })).token).toBeUndefined();
  });
});
