import { serverActionCommand } from "../../cli/compute-command.js";

export default serverActionCommand({ summary: "Unpause server(s)", action: () => ({ unpause: null }) });
