import { HttpError } from "../../common/http/errors.js";
import type { Router } from "../../common/http/router.js";
import { json } from "../../common/http/types.js";
import { RemoteError } from "../../common/rpc/index.js";
import type { ComputeAPI } from "./compute-api.js";
import type { NovaApi } from "./nova-api.js";

/**
 * pocketstack extension (Nova has no such resource): GET /servers/{server_id}/os-ssh-endpoint →
 * {"ssh_endpoint": {"host", "port"}}, the host port the compute forwards to the guest's sshd. Without
 * Neutron a guest has no routable address, so `os server ssh` connects here instead. Guarded like a
 * remote console: whoever may open the server's console may reach its sshd.
 */
export function addSshEndpointRoute(r: Router, api: NovaApi, compute: ComputeAPI): void {
  r.get("/servers/{server_id}/os-ssh-endpoint", async (req) => {
    const ctx = api.ctx(req);
    const s = api.findServer(ctx, req.params.server_id ?? "");
    api.policy.authorize(ctx, "os_compute_api:os-remote-consoles", { project_id: s.instance.project_id, user_id: s.instance.user_id });
    const { uuid, vm_state } = s.instance;
    if (vm_state !== "active" || !s.db || !s.instance.host)
      throw new HttpError(409, `Cannot reach the ssh port of instance ${uuid} while it is in vm_state ${vm_state}: it must be active.`);
    try {
      const e = await compute.callHost<{ host: string; port: number }>(ctx, s, "get_ssh_endpoint", {});
      return json(200, { ssh_endpoint: { host: e.host, port: e.port } });
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      if (err.exc_type === "ConsoleTypeUnavailable")
        throw new HttpError(400, `The compute host ${s.instance.host} forwards no ssh port (its driver runs no real guests).`);
      if (err.exc_type === "InstanceNotFound" || err.exc_type === "InstanceNotRunning" || err.exc_type === "InstanceInvalidState")
        throw new HttpError(409, `Instance ${uuid} has no reachable ssh port: ${err.message}`);
      throw err;
    }
  });
}
