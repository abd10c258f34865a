import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Args, Flags } from "@oclif/core";
import { ComputeCommand } from "../../cli/compute-command.js";

const expand = (p: string) => p.replace(/^~(?=$|\/)/, homedir());

/** Where a keypair's private key usually is when the user saved it (`keypair create --private-key`). */
function keyFileFor(keyName: string): string | undefined {
  const candidates = [`${keyName}.pem`, keyName, join(homedir(), ".ssh", keyName), join(homedir(), ".ssh", `${keyName}.pem`)];
  return candidates.find((c) => existsSync(c));
}

/**
 * `os server ssh <server> [-- command…]` (openstack's `server ssh`): without Neutron a guest has no
 * routable address, so the compute forwards a host port to its sshd; this asks the API for that
 * endpoint (GET /servers/{id}/os-ssh-endpoint) and runs the system's ssh client against it.
 */
export default class ServerSsh extends ComputeCommand<typeof ServerSsh> {
  static override summary = "SSH to server";
  static override strict = false;
  static override usage = "<%= command.id %> SERVER [-l LOGIN] [-i KEYFILE] [-o OPTION]... [-- COMMAND...]";
  static override examples = [
    "<%= config.bin %> server ssh vm1",
    "<%= config.bin %> server ssh vm1 -- hostname",
    "<%= config.bin %> server ssh --identity mykey.pem --login root vm1 -- cat /etc/issue",
  ];
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    login: Flags.string({ char: "l", default: "cirros", summary: "Login name (ssh -l option); the guest image's user is cirros" }),
    identity: Flags.string({
      char: "i",
      summary: "Private key file (ssh -i option); default: <key_name>.pem, <key_name>, ~/.ssh/<key_name>[.pem] when one exists",
    }),
    option: Flags.string({ char: "o", multiple: true, summary: "Options in ssh_config(5) format (ssh -o option)" }),
    verbose: Flags.boolean({ char: "v", summary: "Print the ssh command line before running it" }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    const { ssh_endpoint: ep } = await compute.get<{ ssh_endpoint: { host: string; port: number } }>(
      `/servers/${encodeURIComponent(String(server.id))}/os-ssh-endpoint`,
    );
    let identity = this.flags.identity ? expand(this.flags.identity) : undefined;
    if (identity && !existsSync(identity)) throw new Error(`Key file ${this.flags.identity} not found`);
    if (!identity && typeof server.key_name === "string" && server.key_name) identity = keyFileFor(server.key_name);
    const argv = [
      "-p",
      String(ep.port),
      "-l",
      this.flags.login,
      // a forwarded port is reused by the next guest with a new host key: do not pin keys per port
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "LogLevel=ERROR",
      ...(identity ? ["-i", identity, "-o", "IdentitiesOnly=yes"] : []),
      ...(this.flags.option ?? []).flatMap((o) => ["-o", o]),
      ep.host,
      // everything after the server name (after `--`) is the remote command
      ...this.positionals.slice(1),
    ];
    if (this.flags.verbose) process.stderr.write(`ssh ${argv.join(" ")}\n`);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("ssh", argv, { stdio: "inherit" });
      child.once("error", (err) => reject(new Error(`cannot run ssh: ${err.message} (install openssh-client)`)));
      child.once("exit", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    process.exitCode = code;
  }
}
