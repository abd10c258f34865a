import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Stop server(s).", action: () => ({ "os-stop": null }), allProjects: true });
