// Keystone payload layouts. The expected bytes were packed independently with Python's msgpack 1.0
// (tuples laid out per keystone/token/token_formatters.py), so a token's plaintext here matches Keystone's.
import { describe, expect, it } from "vitest";
import { TokenInvalid } from "../../../src/engine/identity/token/errors.js";
import { integerToMethods, methodsToInteger } from "../../../src/engine/identity/token/methods.js";
import { type PayloadFields, packPayload, unpackPayload } from "../../../src/engine/identity/token/payload.js";

const A = "AAECAwQFBgcICQoLDA0ODw"; // bytes 0..15
const B = "8PHy8_T19vf4-fr7_P3-_w"; // bytes 240..255
const U = "9fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f";
const P = "3c2b1a09f8e7d6c5b4a3928170615243";
const D = "0d8e3f2a1b4c5d6e7f8091a2b3c4d5e6";
const C = "5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d";
const exp = new Date("2025-01-01T00:00:00Z"); // a whole second: Python still packs it as a float64

const cases: { name: string; fields: PayloadFields; python: string }[] = [
  {
    name: "unscoped, non-uuid user, two methods, two audit ids",
    fields: { user_id: "admin", methods: ["token", "password"], expires_at: exp, audit_ids: [A, B] },
    python: "950092c2a561646d696e06cb41d9dd216000000092c410000102030405060708090a0b0c0d0e0fc410f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
  },
  {
    name: "domain-scoped to the 'default' domain",
    fields: { user_id: U, methods: ["password"], domain_id: "default", expires_at: exp, audit_ids: [A] },
    python: "960192c3c4109fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f02a764656661756c74cb41d9dd216000000091c410000102030405060708090a0b0c0d0e0f",
  },
  {
    name: "domain-scoped to a uuid domain, sub-second expiry",
    fields: { user_id: U, methods: ["password"], domain_id: D, expires_at: new Date(exp.getTime() + 500), audit_ids: [A] },
    python:
      "960192c3c4109fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f02c4100d8e3f2a1b4c5d6e7f8091a2b3c4d5e6cb41d9dd216020000091c410000102030405060708090a0b0c0d0e0f",
  },
  {
    name: "project-scoped",
    fields: { user_id: U, methods: ["password"], project_id: P, expires_at: exp, audit_ids: [A] },
    python:
      "960292c3c4109fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f0292c3c4103c2b1a09f8e7d6c5b4a3928170615243cb41d9dd216000000091c410000102030405060708090a0b0c0d0e0f",
  },
  {
    name: "system-scoped",
    fields: { user_id: U, methods: ["token"], system: "all", expires_at: exp, audit_ids: [A] },
    python: "960892c3c4109fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f04a3616c6ccb41d9dd216000000091c410000102030405060708090a0b0c0d0e0f",
  },
  {
    name: "application credential",
    fields: { user_id: U, methods: ["application_credential"], project_id: P, app_cred_id: C, expires_at: exp, audit_ids: [A] },
    python:
      "970992c3c4109fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f2092c3c4103c2b1a09f8e7d6c5b4a3928170615243cb41d9dd216000000091c410000102030405060708090a0b0c0d0e0f92c3c4105a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
  },
];

describe("Keystone token payloads", () => {
  for (const c of cases) {
    it(`${c.name}: packs byte-for-byte as Keystone and round-trips`, () => {
      expect(packPayload(c.fields).toString("hex")).toBe(c.python);
      expect(unpackPayload(Buffer.from(c.python, "hex"))).toEqual(c.fields);
    });
  }

  it("keeps ids that merely look like uuids (hyphens, capitals) as strings, so they come back unchanged", () => {
    const fields: PayloadFields = {
      user_id: "9FE1D3C6-D4B1-4B6C-8F1E-2C1A0B9D8E7F",
      methods: ["password"],
      project_id: "my-project",
      expires_at: new Date("2030-05-06T07:08:09.123Z"),
      audit_ids: [A],
    };
    expect(unpackPayload(packPayload(fields))).toEqual(fields);
  });

  it("uses Keystone's method bits (external=1, password=2, token=4 ... application_credential=32)", () => {
    expect(methodsToInteger(["password"])).toBe(2);
    expect(methodsToInteger(["password", "token"])).toBe(6);
    expect(methodsToInteger(["application_credential"])).toBe(32);
    expect(integerToMethods(0)).toEqual([]);
    expect(integerToMethods(6)).toEqual(["token", "password"]);
    expect(() => methodsToInteger(["kerberos"])).toThrow(/unknown auth method 'kerberos'/);
  });

  it("refuses payloads it cannot represent", () => {
    const base = { user_id: U, methods: ["password"], expires_at: exp, audit_ids: [A] };
    expect(() => packPayload({ ...base, project_id: P, domain_id: D })).toThrow(/at most one/);
    expect(() => packPayload({ ...base, audit_ids: ["short"] })).toThrow(/audit id 'short'/);
    expect(() => packPayload({ ...base, audit_ids: [] })).toThrow(/at least one audit id/);
    expect(() => packPayload({ ...base, app_cred_id: C })).toThrow(/needs project_id/);
  });

  it("rejects unknown versions and malformed payloads with TokenInvalid", () => {
    expect(() => unpackPayload(Buffer.from("9303c0c0", "hex"))).toThrow(TokenInvalid);
    expect(() => unpackPayload(Buffer.from("960292", "hex"))).toThrow(TokenInvalid);
    expect(() => unpackPayload(Buffer.from("c1", "hex"))).toThrow(TokenInvalid);
    expect(() => unpackPayload(Buffer.from("a3616c6c", "hex"))).toThrow(/not an array/);
  });
});
