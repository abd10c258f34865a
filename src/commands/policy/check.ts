import { existsSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import type { TokenBody } from "../../client/auth-ref.js";
import { ApiError } from "../../client/errors.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import {
  Enforcer,
  IDENTITY_POLICY_DEFAULTS,
  PolicyFileError,
  PolicyNotRegistered,
  PolicyParseError,
  type RuleDefault,
} from "../../engine/common/policy/index.js";

type Dict = Record<string, unknown>;

/**
 * Each service's policy as that service builds its Enforcer: the defaults in code, the options it
 * passes (Glance and Nova enforce the new defaults only), the policy file under the state dir it
 * reads, and whether its `context.can()` fills in the caller's project and user as the default target.
 */
interface ServicePolicy {
  defaults: () => Promise<readonly RuleDefault[]>;
  enforceNewDefaults: boolean;
  /** Directory name under <state dir>/etc/. */
  confDir: string;
  ownerTarget: boolean;
}

const SERVICES: Record<string, ServicePolicy> = {
  identity: { defaults: async () => IDENTITY_POLICY_DEFAULTS, enforceNewDefaults: false, confDir: "keystone", ownerTarget: false },
  compute: {
    defaults: async () => (await import("../../engine/compute/api/policies.js")).NOVA_POLICY_DEFAULTS,
    enforceNewDefaults: true,
    confDir: "nova",
    ownerTarget: true,
  },
  image: {
    defaults: async () => (await import("../../engine/image/policies.js")).GLANCE_POLICY_DEFAULTS,
    enforceNewDefaults: true,
    confDir: "glance",
    ownerTarget: false,
  },
  placement: {
    defaults: async () => (await import("../../engine/placement/policies.js")).PLACEMENT_POLICY_DEFAULTS,
    enforceNewDefaults: false,
    confDir: "placement",
    ownerTarget: true,
  },
};

/**
 * `os policy check <action>`: oslopolicy-checker for the current user. The token is validated with
 * Keystone (as keystonemiddleware would, so roles are current), turned into the credentials a service's
 * policy reads, and the action is evaluated with that service's defaults and policy file.
 * Exit status: 0 allowed, 1 denied, 2 the question itself is wrong (unknown action, bad --target,
 * unreadable or malformed policy file).
 */
export default class PolicyCheck extends ClientCommand<typeof PolicyCheck> {
  static override summary = "Check whether the current user's token passes a policy rule";
  static override description =
    "Evaluates <action> with the policy engine for the token the usual --os-* options authenticate, like " +
    "oslopolicy-checker, and names the sub-checks that failed. Exit status: 0 allowed, 1 denied, 2 bad input.";
  static override args = { action: Args.string({ required: true, description: "Policy rule name, e.g. identity:list_projects" }) };
  static override flags = {
    target: Flags.string({
      summary: "Target attribute key=value, e.g. target.project.id=<id> (repeatable)",
      multiple: true,
    }),
    service: Flags.option({
      options: Object.keys(SERVICES),
      summary: "Whose policy to use (default: the service that registers <action>, else identity)",
    })(),
    "policy-file": Flags.string({ summary: "Policy overrides (YAML or JSON); default: <state dir>/etc/<service>/policy.yaml if present" }),
  };
  static override examples = [
    "<%= config.bin %> policy check identity:list_projects",
    "<%= config.bin %> policy check identity:get_project --target target.project.id=0123abcd",
    "<%= config.bin %> policy check os_compute_api:servers:create --service compute -f json",
  ];

  async run(): Promise<void> {
    const action = this.args.action as string;
    const target = parseTargets(this.flags.target ?? []);
    if (typeof target === "string") this.error(target, { exit: 2 });

    const service = this.flags.service ?? (await serviceOf(action));
    const policy = SERVICES[service] as ServicePolicy;
    const policyFile =
      this.flags["policy-file"] ?? defaultPolicyFile((this.flags as unknown as Dict)["state-dir"] as string | undefined, policy.confDir);
    if (policyFile && !existsSync(policyFile)) this.error(`policy file ${policyFile} does not exist`, { exit: 2 });

    let enforcer: Enforcer;
    try {
      enforcer = new Enforcer(await policy.defaults(), { policyFile, enforceNewDefaults: policy.enforceNewDefaults });
    } catch (err) {
      if (err instanceof PolicyParseError || err instanceof PolicyFileError) this.error(err.message, { exit: 2 });
      throw err;
    }
    if (!enforcer.has(action)) {
      this.error(`${new PolicyNotRegistered(action).message} for service ${service}`, { exit: 2 });
    }

    const token = await this.validatedToken();
    const creds = credsOf(token);
    const fullTarget = policy.ownerTarget ? { project_id: creds.project_id, user_id: creds.user_id, ...target } : target;
    const decision = enforcer.explain(action, fullTarget, creds);

    const json = ["json", "yaml"].includes(this.flags.format);
    const list = (items: string[]) => (json ? items : items.join("\n"));
    await this.printOne({
      action,
      allowed: decision.allowed,
      failed: list(decision.allowed ? [] : decision.failed),
      policy_file: policyFile ?? "",
      project_id: creds.project_id ?? "",
      roles: list(creds.roles as string[]),
      rule: decision.checkStr,
      scope: scopeText(creds),
      service,
      target: json
        ? fullTarget
        : Object.entries(fullTarget)
            .map(([k, v]) => `${k}=${v}`)
            .join("\n"),
      user_id: token.user.id,
    });
    // Not this.exit(1): that throws, and the error line would be printed after the table.
    if (!decision.allowed) process.exitCode = 1;
  }

  /**
   * The token as Keystone describes it now (GET /v3/auth/tokens on itself), not as the CLI's cache
   * remembers it: roles granted or removed since issue count, and a revoked token is re-issued.
   */
  private async validatedToken(): Promise<TokenBody> {
    const ask = async () => {
      const token = await this.session().token();
      const res = await this.session().get<{ token: TokenBody }>("identity", "/auth/tokens", {
        headers: { "x-subject-token": token },
        query: { nocatalog: "" },
      });
      return res.body.token;
    };
    try {
      return await ask();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      this.session().invalidate();
      return ask();
    }
  }
}

/** `k=v` pairs into a target; the first `=` splits, so values may contain `=`. Returns an error message. */
export function parseTargets(pairs: string[]): Dict | string {
  const target: Dict = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return `--target ${pair}: expected key=value`;
    target[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return target;
}

/**
 * oslo.context's policy values for a token (what keystonemiddleware's headers become in a service),
 * plus the `token` dict Keystone's own rules read (e.g. token.project.domain.id).
 */
export function credsOf(t: TokenBody): Dict {
  const token: Dict = { user: { id: t.user.id, domain: { id: t.user.domain?.id } } };
  const creds: Dict = {
    user_id: t.user.id,
    user_domain_id: t.user.domain?.id,
    roles: (t.roles ?? []).map((r) => r.name),
    // keystonemiddleware: a token without the flag counts as from the admin project.
    is_admin_project: t.is_admin_project !== false,
    token,
  };
  if (t.project) {
    creds.project_id = t.project.id;
    creds.project_domain_id = t.project.domain?.id;
    token.project = { id: t.project.id, domain: { id: t.project.domain?.id } };
  } else if (t.domain) {
    creds.domain_id = t.domain.id;
    token.domain = { id: t.domain.id };
  } else if (t.system?.all) {
    creds.system_scope = "all";
    token.system = { all: true };
  }
  return creds;
}

/** The service whose defaults register the action; identity when none or several do (base rules). */
async function serviceOf(action: string): Promise<string> {
  const owners: string[] = [];
  for (const [name, p] of Object.entries(SERVICES)) {
    if ((await p.defaults()).some((r) => r.name === action)) owners.push(name);
  }
  return owners.length === 1 ? (owners[0] as string) : "identity";
}

function scopeText(creds: Dict): string {
  if (creds.system_scope) return "system";
  if (creds.domain_id) return "domain";
  return creds.project_id ? "project" : "unscoped";
}

function defaultPolicyFile(dirFlag: string | undefined, confDir: string): string | undefined {
  const file = layout(stateDir(dirFlag)).policyFile(confDir);
  return existsSync(file) ? file : undefined;
}
