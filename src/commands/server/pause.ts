import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Pause server(s)", action: () => ({ pause: null }) });
