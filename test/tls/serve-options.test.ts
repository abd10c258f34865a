import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Config } from "../../src/engine/common/config/config.js";
import { SCHEMA } from "../../src/engine/common/config/schema.js";
import { layout } from "../../src/engine/common/paths.js";
import { SSL_OPTIONS } from "../../src/engine/common/tls/options.js";
import { prepareTls } from "../../src/engine/common/tls/prepare.js";
import { tlsServeOptions } from "../../src/engine/common/tls/serve-options.js";
import { tempDir, removeTempDirs } from "./helpers.js";

const dir = tempDir("ps-tls-opts-");
const l = layout(dir);
function config(values: Record<string, string>): Config {
  const c = new Config({ ...SCHEMA, ssl: SSL_OPTIONS });
  for (const [k, v] of Object.entries(values)) c.set("ssl", k, v, "test");
  return c;
}

describe("tlsServeOptions", { timeout: 60_000 }, () => {
  afterAll(removeTempDirs);
  beforeAll(async () => {
    await prepareTls(dir, [
      { name: "keystone", hosts: ["127.0.0.1"] },
      { name: "glance", hosts: ["127.0.0.1"] },
    ]);
  }, 60_000);

  it("is plain HTTP while [ssl] enabled is false, and while the schema has no [ssl] section yet", () => {
    expect(tlsServeOptions(config({}), l, "keystone")).toEqual({});
    expect(tlsServeOptions(new Config(SCHEMA), l, "keystone")).toEqual({});
  });

  it("serves the chain file (leaf + intermediate) and asks client certificates only of the services listed", () => {
    const c = config({ enabled: "true", verify_client: "keystone" });
    const ks = tlsServeOptions(c, l, "keystone").tls;
    const gl = tlsServeOptions(c, l, "glance").tls;
    expect(String(ks?.cert).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(String(ks?.key)).toContain("BEGIN PRIVATE KEY");
    expect(ks?.requestCert).toBe(true);
    expect(String(ks?.crl).match(/BEGIN X509 CRL/g)).toHaveLength(2);
    expect(ks?.watch?.files).toContain(join(dir, "ca", "crl.pem"));
    expect(gl?.requestCert).toBeUndefined();
    expect(gl?.crl).toBeUndefined();
    expect(tlsServeOptions(config({ enabled: "true", verify_client: "all" }), l, "glance").tls?.requestCert).toBe(true);
  });

  it("names the missing files and how to make them", () => {
    expect(() => tlsServeOptions(config({ enabled: "true" }), l, "placement")).toThrow(
      /TLS for placement: .*certs\/placement-chain\.crt, .*private\/placement\.key missing: the certificates are made by `os cloud up --tls`/,
    );
  });

  it("honours [ssl] ca_dir", () => {
    expect(() => tlsServeOptions(config({ enabled: "true", ca_dir: join(dir, "elsewhere") }), l, "keystone")).toThrow(
      /elsewhere\/certs\/keystone-chain\.crt/,
    );
  });
});
