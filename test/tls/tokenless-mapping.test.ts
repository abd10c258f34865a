// The pieces of tokenless authorization that need no server: a certificate's attributes as mod_ssl names
// them (RFC 2253 DNs, SSL_CLIENT_S_DN_CN …) and Keystone's mapping rules from those attributes to a user.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { certificateEnviron, dnPairs, rfc2253 } from "../../src/engine/common/tls/client-env.js";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { DEFAULT_X509_RULES, mapUser, parseRules } from "../../src/engine/identity/auth/mapping.js";
import { removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

describe("a client certificate's attributes", () => {
  it("are named as mod_ssl's StdEnvVars: RFC 2253 DNs (last RDN first) and one variable per attribute", async () => {
    const ca = new CaStore(`${tempDir("ps-env-")}/ca`);
    await ca.init({ organization: "lab" });
    await ca.issue({ name: "bob", kind: "client", subject: "CN=bob,OU=ops,O=lab" });
    const env = certificateEnviron(new X509Certificate(readFileSync(ca.certFile("bob"))));
    expect(env.SSL_CLIENT_S_DN).toBe("O=lab,OU=ops,CN=bob");
    expect(env.SSL_CLIENT_S_DN_CN).toBe("bob");
    expect(env.SSL_CLIENT_S_DN_OU).toBe("ops");
    expect(env.SSL_CLIENT_S_DN_O).toBe("lab");
    expect(env.SSL_CLIENT_I_DN).toBe("O=lab,CN=lab Intermediate CA");
    expect(env.SSL_CLIENT_I_DN_CN).toBe("lab Intermediate CA");
    expect(env.SSL_CLIENT_VERIFY).toBe("SUCCESS");
    expect(env.SSL_CLIENT_M_SERIAL).toMatch(/^[0-9A-F]+$/);
  });

  it("escape RFC 2253's special characters", () => {
    expect(rfc2253(dnPairs("O=Smith, Jones\nCN=a+b"))).toBe("CN=a\\+b,O=Smith\\, Jones");
  });
});

describe("mapping rules (Keystone's federation mapping language)", () => {
  const cn = (name: string, extra: Record<string, string> = {}) => ({ SSL_CLIENT_S_DN_CN: name, SSL_CLIENT_I_DN: "O=lab,CN=ca", ...extra });

  it("by default the CN names a local user of the Default domain", () => {
    expect(mapUser(DEFAULT_X509_RULES, cn("alice"))).toEqual({
      name: "alice",
      domain: { id: "default", name: undefined },
      id: undefined,
      type: "local",
    });
    expect(mapUser(DEFAULT_X509_RULES, {})).toBeUndefined();
  });

  it("direct maps fill {0}, {1} in order; any_one_of / not_any_of (with regex) decide whether a rule applies", () => {
    const rules = parseRules([
      {
        local: [{ user: { name: "{0}", domain: { name: "{1}" }, type: "local" } }],
        remote: [
          { type: "SSL_CLIENT_S_DN_CN" },
          { type: "SSL_CLIENT_S_DN_O" },
          { type: "SSL_CLIENT_S_DN_OU", any_one_of: ["^ops", "^dev"], regex: true },
        ],
      },
      {
        local: [{ user: { name: "robot", domain: { id: "default" }, type: "local" } }],
        remote: [{ type: "SSL_CLIENT_S_DN_CN", any_one_of: ["ci-1", "ci-2"] }],
      },
      { local: [{ user: { name: "guest" } }], remote: [{ type: "SSL_CLIENT_S_DN_CN", not_any_of: ["alice", "ci-1", "ci-2"] }] },
    ]);
    expect(mapUser(rules, cn("alice", { SSL_CLIENT_S_DN_O: "Lab", SSL_CLIENT_S_DN_OU: "ops-team" }))).toMatchObject({
      name: "alice",
      domain: { name: "Lab" },
      type: "local",
    });
    expect(mapUser(rules, cn("alice", { SSL_CLIENT_S_DN_O: "Lab", SSL_CLIENT_S_DN_OU: "sales" }))).toBeUndefined();
    expect(mapUser(rules, cn("ci-2"))).toMatchObject({ name: "robot", type: "local" });
    // Keystone's default user type is ephemeral (which needs groups): the caller refuses it.
    expect(mapUser(rules, cn("carol"))).toMatchObject({ name: "guest", type: "ephemeral" });
  });

  it("accepts the three shapes a rules file comes in", () => {
    const rule = { local: [{ user: { name: "{0}", type: "local", domain: { id: "default" } } }], remote: [{ type: "SSL_CLIENT_S_DN_CN" }] };
    for (const doc of [[rule], { rules: [rule] }, { mapping: { rules: [rule] } }]) expect(parseRules(doc)).toHaveLength(1);
  });

  it("refuses a malformed mapping with a message naming the rule and what is wrong", () => {
    expect(() => parseRules([])).toThrow(/non-empty list of rules/);
    expect(() => parseRules([{ local: [{ user: { name: "x" } }] }])).toThrow(/rule 0: 'remote' must be a non-empty list/);
    expect(() => parseRules([{ local: [{ user: { name: "{1}" } }], remote: [{ type: "SSL_CLIENT_S_DN_CN" }] }])).toThrow(
      /refers to \{1\} but only 1 remote value/,
    );
    expect(() => parseRules([{ local: [{ group: { id: "g" } }], remote: [{ type: "SSL_CLIENT_S_DN_CN" }] }])).toThrow(
      /rule 0: groups are not supported/,
    );
    expect(() => parseRules([{ local: [{ user: { name: "x" } }], remote: [{ type: "A", any_one_of: ["("], regex: true }] }])).toThrow(
      /not a valid regular expression/,
    );
    expect(() => parseRules([{ local: [{ user: { name: "x" } }], remote: [{ type: "A", any_one_of: "x" }] }])).toThrow(
      /'any_one_of' must be a list of strings/,
    );
  });
});
