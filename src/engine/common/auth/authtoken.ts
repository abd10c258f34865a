import { Session } from "../../../client/session.js";
import { log } from "../log.js";
import { HttpError, errorResponse } from "../http/errors.js";
import type { Filter, GlobalConf, HttpRequest, LocalConf } from "../http/types.js";
import { identityHeaders, stripIdentityHeaders } from "./headers.js";
import { authtokenSettings } from "./settings.js";
import { IdentityUnavailable, TokenValidator, type Validation } from "./token-validator.js";

const rid = (req: HttpRequest) => req.environ.request_id as string | undefined;

/**
 * authtoken (keystonemiddleware.auth_token): every request must carry a valid X-Auth-Token. The filter
 * asks Keystone about it (cached), replaces any inbound identity headers with what the token says
 * (X-User-Id, X-Project-Id, X-Roles, …) and answers 401 with `WWW-Authenticate: Keystone uri=…` otherwise.
 */
export function authtokenFilter(global: GlobalConf, local: LocalConf): Filter {
  const settings = authtokenSettings(global, local);
  // The service's own token lives in memory only: services do not share the CLI's token cache file.
  const makeSession = () =>
    new Session({ auth: settings.service(), cache: false, userAgent: `pocketstack-authtoken/${String(global.service_name ?? "api")}` });
  const validator = new TokenValidator(makeSession, settings.cacheSeconds);
  const challenge = { "WWW-Authenticate": `Keystone uri="${settings.wwwAuthenticateUri}"` };

  const reject = (req: HttpRequest, msg = "The request you have made requires authentication.") =>
    errorResponse(new HttpError(401, msg, { headers: challenge }), global.error_format, rid(req));

  const filter: Filter & { validator?: TokenValidator } = (app) => async (req) => {
    stripIdentityHeaders(req.headers);
    const header = req.headers["x-auth-token"] ?? req.headers["x-storage-token"];
    const token = Array.isArray(header) ? header[0] : header;
    let result: Validation | undefined;
    if (token) {
      try {
        result = await validator.validate(token);
      } catch (err) {
        if (!(err instanceof IdentityUnavailable)) throw err;
        log.error(err.message, rid(req));
        return errorResponse(new HttpError(503, "The Keystone service is temporarily unavailable."), global.error_format, rid(req));
      }
    }
    if (!result?.valid) {
      if (settings.delayAuthDecision) {
        req.headers["x-identity-status"] = "Invalid";
        return app(req);
      }
      return reject(req);
    }
    Object.assign(req.headers, identityHeaders(result.token));
    req.environ["keystone.token_info"] = { token: result.token };
    req.environ.user_id = result.token.user.id;
    req.environ.project_id = result.token.project?.id;
    const res = await app(req);
    // A 401 from the app itself also tells the client where to authenticate.
    if (res.status === 401 && !res.headers["WWW-Authenticate"] && !res.headers["www-authenticate"]) Object.assign(res.headers, challenge);
    return res;
  };
  filter.validator = validator;
  return filter;
}
