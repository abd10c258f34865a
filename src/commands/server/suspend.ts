import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Suspend server(s)", action: () => ({ suspend: null }) });
