import { existsSync, readFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { openCaStore, resolveCertificate } from "../../engine/common/tls/cli-support.js";
import { verifyChain } from "../../engine/common/tls/verify-chain.js";
import { caDirFlag } from "./init.js";

export default class CaVerify extends BaseCommand<typeof CaVerify> {
  static override summary = "Build a certificate's chain to the lab root and check every link; say where it breaks.";
  static override description =
    "Checks what `openssl verify -CAfile ca.crt -untrusted intermediate.crt -crl_check_all` checks — signatures, dates, CA flags, pathlen, revocation — plus the host name (--host) and purpose. Exits 1 when the chain does not verify, with one line per problem.";
  static override examples = [
    "<%= config.bin %> ca verify keystone --host 127.0.0.1",
    "<%= config.bin %> ca verify ./server-chain.crt --untrusted none",
    "<%= config.bin %> ca verify alice --purpose client",
  ];
  static override args = {
    certificate: Args.string({ required: true, description: "A name from `os ca list` or a PEM file (a chain file: leaf first)." }),
  };
  static override flags = {
    "state-dir": stateDirFlag,
    "ca-dir": caDirFlag,
    set: setFlag,
    host: Flags.string({ summary: "Host name or IP the certificate must cover (subjectAltName)." }),
    purpose: Flags.option({
      options: ["server", "client"] as const,
      summary: "Required extendedKeyUsage (default: server when --host is given).",
    })(),
    "ca-file": Flags.string({ summary: "Trusted root(s) (default: the lab CA's ca.crt)." }),
    untrusted: Flags.string({
      summary: "PEM file of intermediates that may complete the chain (default: the lab CA's CAs; 'none' for none).",
    }),
    "no-crl": Flags.boolean({ summary: "Do not check revocation." }),
  };

  async run(): Promise<void> {
    const store = openCaStore(this.flags);
    const cert = resolveCertificate(store, this.args.certificate);
    const read = (f: string, what: string) => {
      if (!existsSync(f))
        this.error(`${what} ${f} does not exist${store.exists() ? "" : ` (no CA in ${store.dir}: run \`os ca init\`)`}`, { exit: 1 });
      return readFileSync(f, "utf8");
    };
    const trustedPem = read(this.flags["ca-file"] ?? store.rootCert, "CA file");
    let untrustedPem = "";
    if (this.flags.untrusted && this.flags.untrusted !== "none") untrustedPem = read(this.flags.untrusted, "untrusted file");
    else if (!this.flags.untrusted && store.exists())
      untrustedPem = store
        .list()
        .filter((c) => (c.kind === "intermediate" || c.kind === "ca") && c.status !== "superseded")
        .map((c) => readFileSync(store.certFile(c.name), "utf8"))
        .join("");
    const crlPem = this.flags["no-crl"] || !existsSync(store.crlFile) ? undefined : readFileSync(store.crlFile, "utf8");
    const result = verifyChain({ pem: cert.pem, trustedPem, untrustedPem, crlPem, host: this.flags.host, purpose: this.flags.purpose });
    if (this.flags.format === "json" || this.flags.format === "yaml") {
      await this.printOne({ certificate: cert.label, ok: result.ok, chain: result.chain, problems: result.problems });
    } else {
      for (const link of [...result.chain].reverse())
        this.log(`depth=${link.depth} ${link.subject}${link.trusted ? " (trusted root)" : ""}`);
      for (const p of result.problems) this.log(`error at depth ${p.depth} (${p.code}): ${p.message}`);
      this.log(result.ok ? `${cert.label}: OK` : `${cert.label}: verification failed`);
    }
    if (!result.ok) process.exitCode = 1;
  }
}
