// The Fernet spec's published vectors (github.com/fernet/spec: generate.json, verify.json,
// invalid.json), checked against our node:crypto implementation.
import { describe, expect, it } from "vitest";
import { decodeFernetKey, fernetDecrypt, fernetEncrypt, restorePadding, stripPadding } from "../../../src/engine/identity/token/fernet.js";

const secret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const seconds = (iso: string) => Date.parse(iso) / 1000;

const generate = {
  token: "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==",
  now: "1985-10-26T01:20:00-07:00",
  iv: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  src: "hello",
};

const verify = { token: generate.token, now: "1985-10-26T01:20:01-07:00", ttl_sec: 60, src: "hello" };

const invalid: { desc: string; token: string; now: string; why: RegExp }[] = [
  {
    desc: "incorrect mac",
    why: /signature/,
    token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==",
    now: "1985-10-26T01:20:01-07:00",
  },
  {
    desc: "too short",
    why: /too short/,
    token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==",
    now: "1985-10-26T01:20:01-07:00",
  },
  {
    desc: "invalid base64",
    why: /base64/,
    token: "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
    now: "1985-10-26T01:20:01-07:00",
  },
  {
    desc: "payload size not multiple of block size",
    why: /whole number of blocks/,
    token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm",
    now: "1985-10-26T01:20:01-07:00",
  },
  {
    desc: "payload padding error",
    why: /padding/,
    token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==",
    now: "1985-10-26T01:20:01-07:00",
  },
  {
    desc: "far-future TS (unacceptable clock skew)",
    why: /future/,
    token: "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==",
    now: "1985-10-26T01:20:01-07:00",
  },
  {
    desc: "expired TTL",
    why: /expired/,
    token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
    now: "1985-10-26T01:21:31-07:00",
  },
  {
    desc: "incorrect IV (causes padding error)",
    why: /padding/,
    token: "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==",
    now: "1985-10-26T01:20:01-07:00",
  },
];

describe("Fernet spec vectors", () => {
  const key = decodeFernetKey(secret);

  it("generates the published token from the fixed IV and time", () => {
    const token = fernetEncrypt(key, Buffer.from(generate.src), { now: seconds(generate.now), iv: Buffer.from(generate.iv) });
    expect(token).toBe(generate.token);
  });

  it("verifies the published token and recovers the message and timestamp", () => {
    const out = fernetDecrypt([key], verify.token, { ttlSeconds: verify.ttl_sec, now: seconds(verify.now) });
    expect(out.plaintext.toString()).toBe(verify.src);
    expect(out.timestamp).toBe(seconds(generate.now));
  });

  it("verifies the token with its '=' padding stripped, as Keystone hands it out", () => {
    const bare = stripPadding(verify.token);
    expect(bare.endsWith("=")).toBe(false);
    expect(restorePadding(bare)).toBe(verify.token);
    expect(fernetDecrypt([key], bare).plaintext.toString()).toBe("hello");
  });

  for (const v of invalid) {
    it(`rejects: ${v.desc}`, () => {
      expect(() => fernetDecrypt([key], v.token, { ttlSeconds: 60, now: seconds(v.now) })).toThrow(v.why);
    });
  }

  it("tries each key in turn (MultiFernet) and fails when none signed the token", () => {
    const other = decodeFernetKey(Buffer.alloc(32, 7).toString("base64url"));
    expect(fernetDecrypt([other, key], verify.token).plaintext.toString()).toBe("hello");
    expect(() => fernetDecrypt([other], verify.token)).toThrow(/signature/);
  });
});
