// One guest of the fake hypervisor: its power state, size and the serial log it "prints" while booting.
import { PowerState, type PowerStateValue } from "../driver.js";

export interface FakeGuest {
  uuid: string;
  /** The domain name, instance-%08x. */
  name: string;
  hostname: string;
  state: PowerStateValue;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  /** VNC display port (5900 + n), unique on the node. */
  vnc_port: number;
  /** The serial console log, one line per entry. */
  log: string[];
  /** Seconds of guest uptime at which the next log line is stamped. */
  clock: number;
  boots: number;
  created_at: string;
}

function stamp(g: FakeGuest, dt: number): string {
  g.clock += dt;
  return `[${g.clock.toFixed(6).padStart(12)}]`;
}

/** Append a boot sequence to the serial log, like a small cloud image writes it to ttyS0. */
export function appendBootLog(g: FakeGuest, ip: string): void {
  g.boots += 1;
  g.clock = 0;
  const kb = g.memory_mb * 1024;
  const sectors = g.root_gb * 2 * 1024 * 1024;
  g.log.push(
    `${stamp(g, 0)} Linux version 6.1.0-fake (builder@pocketstack) #1 SMP PREEMPT_DYNAMIC`,
    `${stamp(g, 0)} Command line: root=/dev/vda1 ro console=tty0 console=ttyS0`,
    `${stamp(g, 0)} Hypervisor detected: pocketstack fake`,
    `${stamp(g, 0.004)} Memory: ${kb}K/${kb}K available`,
    `${stamp(g, 0.011)} smpboot: Allowing ${g.vcpus} CPUs, 0 hotplug CPUs`,
    `${stamp(g, 0.402)} virtio_blk virtio1: [vda] ${sectors} 512-byte logical blocks`,
    `${stamp(g, 0.301)} EXT4-fs (vda1): mounted filesystem with ordered data mode`,
    `${stamp(g, 0.2)} Run /sbin/init as init process`,
    `Starting network: udhcpc: lease of ${ip} obtained, lease time 86400`,
    "OK",
    "checking http://169.254.169.254/2009-04-04/instance-id",
    `successful after 1/20 tries: up ${g.clock.toFixed(2)}. iid=${g.name.replace("instance-", "i-")}`,
    `Setting hostname to ${g.hostname}`,
    `=== system information (boot ${g.boots}) ===`,
    `Instance: ${g.uuid}`,
    `CPUs: ${g.vcpus}  Memory: ${g.memory_mb} MB  Disk: ${g.root_gb} GB`,
    "=== sshd host keys ===",
    "ecdsa-sha2-nistp256 AAAAfake pocketstack",
    "=== end ===",
    "",
    `${g.hostname} login: `,
  );
}

export function appendShutdownLog(g: FakeGuest, how: "poweroff" | "reboot"): void {
  g.log.push(
    how === "reboot" ? "The system is going down NOW!" : "The system is going down for power off NOW!",
    "Sent SIGTERM to all processes",
    "Sent SIGKILL to all processes",
    how === "reboot" ? `${stamp(g, 0.1)} reboot: Restarting system` : `${stamp(g, 0.1)} reboot: Power down`,
  );
}

export const isRunning = (g: FakeGuest) => g.state === PowerState.RUNNING;
