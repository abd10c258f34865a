// `os ca …` as a user runs it: init, issue, list, show, verify (with its failure messages), revoke.
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import CaInit from "../../src/commands/ca/init.js";
import CaIssue from "../../src/commands/ca/issue.js";
import CaList from "../../src/commands/ca/list.js";
import CaRevoke from "../../src/commands/ca/revoke.js";
import CaShow from "../../src/commands/ca/show.js";
import CaVerify from "../../src/commands/ca/verify.js";
import { os } from "../identity-cli/run.js";
import { tempDir, openssl, removeTempDirs } from "./helpers.js";
import { runCommand } from "./run-command.js";

const home = tempDir("ps-ca-cli-");
const caDir = join(home, "ca");
const COMMANDS = { init: CaInit, issue: CaIssue, list: CaList, revoke: CaRevoke, show: CaShow, verify: CaVerify };
/** `os ca <verb> …` in-process, with --state-dir pointing at this test's home. */
const ca = (verb: keyof typeof COMMANDS, ...args: string[]) => runCommand(COMMANDS[verb], [...args, "--state-dir", home]);

describe("os ca", { timeout: 60_000 }, () => {
  afterAll(removeTempDirs);
  beforeAll(async () => {
    const before = await ca("issue", "web", "--san", "localhost");
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`no CA in ${caDir}: run \`os ca init\` first`);
    // Once through the real CLI (its own process), to prove the topic is wired; the rest runs in-process.
    const init = await os(["ca", "init", "-f", "json"], { POCKETSTACK_HOME: home });
    expect(init.code, init.stderr).toBe(0);
    const rows = JSON.parse(init.stdout) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.Name, r.Kind, r.Subject])).toEqual([
      ["root", "root", "CN = pocketstack Root CA, O = pocketstack"],
      ["intermediate", "intermediate", "CN = pocketstack Intermediate CA, O = pocketstack"],
    ]);
    // The other issues run concurrently; `sub` must exist before `leaf`.
    const issued = await Promise.all([
      ca("issue", "web", "--san", "localhost,127.0.0.1", "-f", "json"),
      ca("issue", "alice", "--kind", "client", "--subject", "CN=alice,O=demo"),
      ca("issue", "old", "--san", "localhost", "--not-before", "2020-01-01", "--days", "30"),
      ca("issue", "sub", "--kind", "ca"),
    ]);
    for (const r of issued) expect(r.code, r.stderr).toBe(0);
    const web = JSON.parse(issued[0]?.stdout as string) as Record<string, string>;
    expect(web).toMatchObject({
      name: "web",
      kind: "server",
      subject_alt_names: "localhost, 127.0.0.1",
      chain: join(caDir, "certs", "web-chain.crt"),
    });
    expect(statSync(web.private_key as string).mode & 0o777).toBe(0o600);
    const leaf = await ca("issue", "leaf", "--issuer", "sub", "--san", "localhost");
    expect(leaf.code, leaf.stderr).toBe(0);
  }, 60_000);

  it("refuses bad input with a message naming the problem", async () => {
    const [noSan, dup, badSubject, badIssuer] = await Promise.all([
      ca("issue", "nosan"),
      ca("issue", "web", "--san", "localhost"),
      ca("issue", "x", "--kind", "client", "--subject", "CN=x,FOO=bar"),
      ca("issue", "y", "--san", "localhost", "--issuer", "web"),
    ]);
    expect(noSan.stderr).toContain("a server certificate needs at least one DNS name or IP address (--san)");
    expect(dup.stderr).toMatch(/a certificate named 'web' already exists \(serial [0-9a-f]+\); revoke it or pass --replace/);
    expect(badSubject.stderr).toContain("subject 'CN=x,FOO=bar': unknown attribute 'FOO'");
    expect(badIssuer.stderr).toContain("'web' is a server certificate, not a CA; it cannot issue certificates");
    for (const r of [noSan, dup, badSubject, badIssuer]) expect(r.code).toBe(1);
  });

  it("show prints what openssl x509 -noout -text prints", async () => {
    const [show, theirs] = await Promise.all([
      ca("show", "web"),
      openssl(["x509", "-in", join(caDir, "certs", "web.crt"), "-noout", "-text"]),
    ]);
    expect(show.code).toBe(0);
    expect(show.stdout).toBe(theirs.stdout);
  });

  it("verify: OK for a good chain; expired, wrong SAN, pathlen and revoked each say where it breaks", async () => {
    await ca("revoke", "alice", "--reason", "keyCompromise");
    const [good, expired, wrongSan, pathlen, revoked, list] = await Promise.all([
      ca("verify", "web", "--host", "127.0.0.1"),
      ca("verify", "old"),
      ca("verify", "web", "--host", "keystone.example.org"),
      ca("verify", "leaf"),
      ca("verify", "alice", "--purpose", "client"),
      ca("list", "-f", "json"),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe(
      [
        "depth=2 CN = pocketstack Root CA, O = pocketstack (trusted root)",
        "depth=1 CN = pocketstack Intermediate CA, O = pocketstack",
        "depth=0 CN = web, O = pocketstack",
        "web: OK",
        "",
      ].join("\n"),
    );
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/error at depth 0 \(certificate has expired\): 'old' expired on Jan 31 00:00:00 2020 GMT/);
    expect(wrongSan.stdout).toContain(
      "error at depth 0 (hostname mismatch): 'web' does not cover host 'keystone.example.org': its subjectAltName lists DNS:localhost, IP Address:127.0.0.1",
    );
    expect(pathlen.stdout).toContain(
      "error at depth 1 (path length constraint exceeded): 'pocketstack Intermediate CA' has pathlen:0: it may have at most 0 CA certificate(s) below it, but 'sub' below it acts as a CA and signed 'leaf'",
    );
    expect(revoked.stdout).toMatch(
      /error at depth 0 \(certificate revoked\): 'alice' \(serial [0-9a-f]+\) was revoked by 'pocketstack Intermediate CA' on .* \(reason: keyCompromise\)/,
    );
    for (const r of [expired, wrongSan, pathlen, revoked]) expect(r.stdout).toMatch(/: verification failed\n$/);
    const status = Object.fromEntries((JSON.parse(list.stdout) as Array<Record<string, string>>).map((r) => [r.Name, r.Status]));
    expect(status).toEqual({
      root: "valid",
      intermediate: "valid",
      web: "valid",
      alice: "revoked",
      old: "expired",
      sub: "valid",
      leaf: "valid",
    });
  });

  it("verify: a chain file from another CA with the same names breaks at the intermediate", async () => {
    const otherHome = tempDir("ps-ca-other-");
    expect((await runCommand(CaInit, ["--state-dir", otherHome])).code).toBe(0);
    expect((await runCommand(CaIssue, ["web", "--san", "localhost", "--state-dir", otherHome])).code).toBe(0);
    const r = await ca("verify", join(otherHome, "ca", "certs", "web-chain.crt"), "--host", "localhost");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /error at depth 1 \(certificate signature failure\): chain broken at depth 1: 'pocketstack Intermediate CA' names 'pocketstack Root CA' as its issuer, but its signature does not verify with that CA's key .*: it comes from a different CA with the same name/,
    );
    // And openssl agrees that it does not verify.
    const o = await openssl([
      "verify",
      "-CAfile",
      join(caDir, "ca.crt"),
      "-untrusted",
      join(otherHome, "ca", "intermediate.crt"),
      join(otherHome, "ca", "certs", "web.crt"),
    ]);
    expect(o.code).not.toBe(0);
  });
});
