// One claiming process of the race test: N allocation PUTs (a few in flight at once) against the given
// placement URLs in turn; prints one JSON line {statuses: [...], consumers: [...]}.
import { randomUUID } from "node:crypto";

const [urls, rp, count] = [process.argv[2].split(","), process.argv[3], Number(process.argv[4])];
const statuses = [];
const consumers = [];
let next = 0;
async function lane() {
  while (next < count) {
    const i = next++;
    const consumer = randomUUID();
    const res = await fetch(`${urls[i % urls.length]}/allocations/${consumer}`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-auth-token": "admin", "openstack-api-version": "placement 1.39" },
      body: JSON.stringify({
        allocations: { [rp]: { resources: { VCPU: 1 } } },
        project_id: "race-project",
        user_id: "race-user",
        consumer_generation: null,
        consumer_type: "INSTANCE",
      }),
    });
    await res.arrayBuffer();
    statuses.push(res.status);
    if (res.status === 204) consumers.push(consumer);
  }
}
await Promise.all(Array.from({ length: 5 }, lane));
process.stdout.write(`${JSON.stringify({ statuses, consumers })}\n`);
