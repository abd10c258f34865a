// Nova's instance states (nova.compute.vm_states and task_states), the strings stored on the instance.
// The API maps them to server status (ACTIVE, BUILD, SHUTOFF, …); the compute moves them.

export const VmState = {
  ACTIVE: "active",
  BUILDING: "building",
  PAUSED: "paused",
  SUSPENDED: "suspended",
  STOPPED: "stopped",
  RESCUED: "rescued",
  RESIZED: "resized",
  SOFT_DELETED: "soft-delete",
  DELETED: "deleted",
  ERROR: "error",
  SHELVED: "shelved",
  SHELVED_OFFLOADED: "shelved_offloaded",
} as const;

export const TaskState = {
  SCHEDULING: "scheduling",
  BLOCK_DEVICE_MAPPING: "block_device_mapping",
  NETWORKING: "networking",
  SPAWNING: "spawning",
  IMAGE_SNAPSHOT: "image_snapshot",
  IMAGE_SNAPSHOT_PENDING: "image_snapshot_pending",
  IMAGE_PENDING_UPLOAD: "image_pending_upload",
  IMAGE_UPLOADING: "image_uploading",
  UPDATING_PASSWORD: "updating_password",
  RESIZE_PREP: "resize_prep",
  RESIZE_MIGRATING: "resize_migrating",
  RESIZE_MIGRATED: "resize_migrated",
  RESIZE_FINISH: "resize_finish",
  RESIZE_REVERTING: "resize_reverting",
  RESIZE_CONFIRMING: "resize_confirming",
  REBOOTING: "rebooting",
  REBOOT_PENDING: "reboot_pending",
  REBOOT_STARTED: "reboot_started",
  REBOOTING_HARD: "rebooting_hard",
  REBOOT_PENDING_HARD: "reboot_pending_hard",
  REBOOT_STARTED_HARD: "reboot_started_hard",
  PAUSING: "pausing",
  UNPAUSING: "unpausing",
  SUSPENDING: "suspending",
  RESUMING: "resuming",
  POWERING_OFF: "powering-off",
  POWERING_ON: "powering-on",
  REBUILDING: "rebuilding",
  REBUILD_BLOCK_DEVICE_MAPPING: "rebuild_block_device_mapping",
  REBUILD_SPAWNING: "rebuild_spawning",
  DELETING: "deleting",
  SOFT_DELETING: "soft-deleting",
  RESTORING: "restoring",
} as const;

export const SOFT_REBOOT_STATES = [TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED, TaskState.REBOOTING];
export const HARD_REBOOT_STATES = [TaskState.REBOOT_PENDING_HARD, TaskState.REBOOT_STARTED_HARD, TaskState.REBOOTING_HARD];
/** Task states of a build that was interrupted (Nova's _init_instance puts such instances into ERROR). */
export const BUILD_TASK_STATES = [TaskState.SCHEDULING, TaskState.BLOCK_DEVICE_MAPPING, TaskState.NETWORKING, TaskState.SPAWNING];
