// Registers the auth filters an api-paste.ini may name. A service imports this module for its side
// effects before loading its paste file.
import { registerFilter } from "../http/registry.js";
import { authtokenFilter } from "./authtoken.js";
import { keystonecontextFilter } from "./keystonecontext.js";
import { noauth2Filter } from "./noauth2.js";

registerFilter("pocketstack.authtoken", authtokenFilter);
registerFilter("pocketstack.keystonecontext", keystonecontextFilter);
registerFilter("pocketstack.noauth2", noauth2Filter);

export { authtokenFilter, keystonecontextFilter, noauth2Filter };
export { contextFromHeaders } from "./keystonecontext.js";
export { TokenValidator } from "./token-validator.js";
