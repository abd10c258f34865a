// Tests use the same free-port picking as labs and benchmarks.
export { freePort, isolatedPortSettings as isolatedPorts } from "../../src/engine/common/free-ports.js";
