import { type Command, Flags } from "@oclif/core";
import type { AuthConfig } from "../client/auth-config.js";
import { IdentityApi } from "../client/identity.js";
import { Session } from "../client/session.js";
import type { CommandTraceRecorder, TraceMode } from "../tui/command-trace/recorder.js";
import { BaseCommand } from "./base-command.js";
import { stateDirFlag } from "./flags.js";
import type { Row } from "./output.js";

const g = (summary: string) => Flags.string({ helpGroup: "GLOBAL", summary });

/**
 * Every `os` command that talks to a cloud: the openstack client's global --os-* flags, a lazily
 * authenticated Session (flags > --os-cloud > OS_* > the local cloud's profile), and cells printed
 * as the openstack client prints them (Python's True/None/{'a': 'b'} in tables, real JSON in -f json).
 */
export abstract class ClientCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    "os-cloud": g("Cloud name in clouds.yaml (Env: OS_CLOUD)"),
    "os-auth-url": g("Authentication URL (Env: OS_AUTH_URL)"),
    "os-username": g("Authentication username (Env: OS_USERNAME)"),
    "os-user-id": g("Authentication user ID (Env: OS_USER_ID)"),
    "os-password": g("Authentication password (Env: OS_PASSWORD)"),
    "os-project-name": g("Project name to scope to (Env: OS_PROJECT_NAME)"),
    "os-project-id": g("Project ID to scope to (Env: OS_PROJECT_ID)"),
    "os-user-domain-name": g("Domain name of the user (Env: OS_USER_DOMAIN_NAME)"),
    "os-user-domain-id": g("Domain ID of the user (Env: OS_USER_DOMAIN_ID)"),
    "os-project-domain-name": g("Domain name containing project (Env: OS_PROJECT_DOMAIN_NAME)"),
    "os-project-domain-id": g("Domain ID containing project (Env: OS_PROJECT_DOMAIN_ID)"),
    "os-domain-name": g("Domain name to scope to (Env: OS_DOMAIN_NAME)"),
    "os-domain-id": g("Domain ID to scope to (Env: OS_DOMAIN_ID)"),
    "os-system-scope": g("Scope to the system: all (Env: OS_SYSTEM_SCOPE)"),
    "os-region-name": g("Authentication region name (Env: OS_REGION_NAME)"),
    "os-interface": g("Select an interface type: public, internal, admin (Env: OS_INTERFACE)"),
    "os-token": g("Authentication token (Env: OS_TOKEN)"),
    "os-cacert": g("CA certificate bundle file (Env: OS_CACERT)"),
    "os-cert": g("Client certificate bundle file (Env: OS_CERT)"),
    "os-key": g("Client certificate key file (Env: OS_KEY)"),
    "state-dir": stateDirFlag,
    trace: Flags.option({
      options: ["tui", "text"] as const,
      helpGroup: "GLOBAL",
      summary:
        "After the command, show the trace of its API requests: --trace opens the trace view, --trace=text prints the span tree (on stderr).",
    })(),
  };

  /** Every positional argument (for commands that take several: `os user delete a b c`). */
  protected positionals: string[] = [];
  private clientSession?: Session;
  private traceRecorder?: CommandTraceRecorder;

  public override async init(): Promise<void> {
    // `--trace` alone means the trace view: oclif's option flags always take a value.
    const dashdash = this.argv.indexOf("--");
    this.argv = this.argv.map((a, i) => (a === "--trace" && (dashdash < 0 || i < dashdash) ? "--trace=tui" : a));
    await super.init();
    const { argv } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as unknown as typeof ClientCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.positionals = argv.map(String);
    const trace = (this.flags as { trace?: TraceMode }).trace;
    if (trace) {
      // Loaded only when asked for, so commands without --trace start as fast as before.
      const { CommandTraceRecorder } = await import("../tui/command-trace/recorder.js");
      this.traceRecorder = new CommandTraceRecorder((this.id ?? "").replace(/:/g, " "));
    }
  }

  private identityApi?: IdentityApi;

  private globalFlags(): Record<string, string | undefined> {
    return this.flags as unknown as Record<string, string | undefined>;
  }

  /** The authenticated session (created on first use, so --help never needs a cloud). */
  protected session(): Session {
    if (this.clientSession) return this.clientSession;
    const f = this.globalFlags();
    const explicit: Partial<AuthConfig> = {
      auth_url: f["os-auth-url"],
      username: f["os-username"],
      user_id: f["os-user-id"],
      password: f["os-password"],
      project_name: f["os-project-name"],
      project_id: f["os-project-id"],
      user_domain_name: f["os-user-domain-name"],
      user_domain_id: f["os-user-domain-id"],
      project_domain_name: f["os-project-domain-name"],
      project_domain_id: f["os-project-domain-id"],
      domain_name: f["os-domain-name"],
      domain_id: f["os-domain-id"],
      system_scope: f["os-system-scope"],
      region_name: f["os-region-name"],
      interface: f["os-interface"],
      token: f["os-token"],
      cacert: f["os-cacert"],
      cert: f["os-cert"],
      key: f["os-key"],
    };
    const where = { explicit, cloud: f["os-cloud"], stateDir: f["state-dir"] };
    this.clientSession = this.traceRecorder ? this.traceRecorder.session(where) : Session.fromEnvironment(where);
    return this.clientSession;
  }

  protected identity(): IdentityApi {
    this.identityApi ??= new IdentityApi(this.session());
    return this.identityApi;
  }

  /**
   * Delete (or act on) several things, carrying on past failures like the openstack client: each
   * failure is one stderr line, then one error "N of M <things> failed to delete.".
   */
  protected async forEach(
    items: string[],
    act: (item: string) => Promise<void>,
    failed: (item: string, e: Error) => string,
    summary: (n: number, total: number) => string,
  ): Promise<void> {
    let errors = 0;
    for (const item of items) {
      try {
        await act(item);
      } catch (e) {
        errors++;
        process.stderr.write(`${failed(item, e as Error)}\n`);
      }
    }
    if (errors > 0) throw new Error(summary(errors, items.length));
  }

  protected deleteEach(items: string[], word: string, act: (item: string) => Promise<void>): Promise<void> {
    return this.forEach(
      items,
      act,
      (item, e) => `Failed to delete ${word} with name or ID '${item}': ${e.message}`,
      (n, total) => `${n} of ${total} ${word}s failed to delete.`,
    );
  }

  private pythonic(): boolean {
    const format = (this.flags as unknown as { format: string }).format;
    return !["json", "yaml"].includes(format);
  }

  protected override async printOne(obj: Row): Promise<void> {
    await super.printOne(this.pythonic() ? mapValues(obj, pyCell) : obj);
  }

  protected override async printList(columns: string[], rows: Row[]): Promise<void> {
    await super.printList(columns, this.pythonic() ? rows.map((r) => mapValues(r, pyCell)) : rows);
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.clientSession?.close();
    if (this.traceRecorder) await this.showTrace(this.traceRecorder);
    return super.finally(err);
  }

  /** --trace: the command's output (or error line) is out; now its trace, without changing the exit code. */
  private async showTrace(recorder: CommandTraceRecorder): Promise<void> {
    const f = this.flags as { trace?: TraceMode; "state-dir"?: string };
    recorder.finish(Number(process.exitCode ?? 0));
    try {
      const { showCommandTrace } = await import("../tui/command-trace/show.js");
      await showCommandTrace(recorder, { mode: f.trace ?? "tui", stateDir: f["state-dir"] });
    } catch (e) {
      process.stderr.write(`--trace: ${(e as Error).message.split("\n")[0]}\n`);
    }
  }
}

/** osc-lib's get_dict_properties: column "Domain ID" reads field domain_id. */
export function props(obj: Record<string, unknown>, columns: string[], fields: Record<string, string> = {}): Row {
  return Object.fromEntries(
    columns.map((c) => {
      const field = fields[c] ?? c.toLowerCase().replace(/ /g, "_");
      return [c, (field in obj ? obj[field] : "") as Row[string]];
    }),
  );
}

const mapValues = (r: Row, fn: (v: Row[string]) => Row[string]): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fn(v)]));

/** Objects and lists as Python's repr prints them (cliff falls back to str() for such cells). */
export function pyCell(v: Row[string]): Row[string] {
  return v !== null && typeof v === "object" ? pyRepr(v) : v;
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
    .join(", ")}}`;
}
