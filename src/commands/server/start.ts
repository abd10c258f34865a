import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Start server(s).", action: () => ({ "os-start": null }), allProjects: true });
