import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Resume server(s)", action: () => ({ resume: null }) });
