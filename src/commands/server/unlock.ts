import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Unlock server(s)", action: () => ({ unlock: null }) });
