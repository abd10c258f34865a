import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, sampleConfig } from "../../src/engine/common/config/config.js";

const dir = mkdtempSync(join(tmpdir(), "ps-config-"));
const write = (text: string) => {
  const f = join(dir, `c${Math.random().toString(16).slice(2)}.conf`);
  writeFileSync(f, text);
  return f;
};
afterEach(() => {
  delete process.env.POCKETSTACK_SET;
});

describe("pocketstack.conf", () => {
  it("has documented defaults when there is no file", () => {
    const cfg = loadConfig(join(dir, "absent.conf"));
    expect(cfg.int("api", "keystone_port")).toBe(5000);
    expect(cfg.str("DEFAULT", "transport_url")).toBe("zmq://127.0.0.1:5679");
    expect(cfg.bool("trace", "enabled")).toBe(true);
  });

  it("reads typed values from the file; overrides beat the file; env overrides too", () => {
    const f = write("[DEFAULT]\ndebug = true\n\n[api]\nkeystone_port = 15000\n[compute]\ncpu_allocation_ratio = 2.5\n");
    expect(loadConfig(f).bool("DEFAULT", "debug")).toBe(true);
    expect(loadConfig(f).int("api", "keystone_port")).toBe(15000);
    expect(loadConfig(f).get("compute", "cpu_allocation_ratio")).toBe(2.5);
    expect(loadConfig(f, ["api.keystone_port=25000"]).int("api", "keystone_port")).toBe(25000);
    process.env.POCKETSTACK_SET = "api.glance_port=19292;DEFAULT.host=node7";
    const cfg = loadConfig(f);
    expect(cfg.int("api", "glance_port")).toBe(19292);
    expect(cfg.str("DEFAULT", "host")).toBe("node7");
  });

  it("names an unknown section or option, with file and line", () => {
    const f1 = write("[DEFAULT]\nhost = a\n[nosuch]\nx = 1\n");
    expect(() => loadConfig(f1)).toThrow(`${f1}:4: unknown section [nosuch]`);
    const f2 = write("[api]\nkeystone_prot = 1\n");
    expect(() => loadConfig(f2)).toThrow(`${f2}:2: unknown option 'keystone_prot' in section [api]`);
    expect(() => loadConfig(undefined, ["api.nope=1"])).toThrow(/unknown option 'nope' in section \[api\]/);
  });

  it("fails on a malformed file or a bad value with file and line", () => {
    const f1 = write("[DEFAULT]\nhost = a\njunk without equals\n");
    expect(() => loadConfig(f1)).toThrow(`${f1}:3: expected 'key = value'`);
    const f2 = write("[api]\n\nkeystone_port = five thousand\n");
    expect(() => loadConfig(f2)).toThrow(`${f2}:3: [api] keystone_port: 'five thousand' is not an integer`);
    const f3 = write("[token]\nprovider = pki\n");
    expect(() => loadConfig(f3)).toThrow(/'pki' is not one of fernet, jws/);
    expect(() => loadConfig(undefined, ["garbage"])).toThrow(/not of the form section.option=value/);
  });

  it("the sample in fixtures/ is the schema's (regenerate with `os manage config sample`)", () => {
    const committed = readFileSync(new URL("../../fixtures/pocketstack.conf.sample", import.meta.url), "utf8");
    expect(committed).toBe(sampleConfig());
  });
});
