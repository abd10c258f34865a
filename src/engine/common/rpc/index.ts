// The message bus API other packages import: `import { RpcClient, RpcServer } from "../common/rpc/index.js"`.
export { Broker, type BrokerStats } from "./broker.js";
export { RpcClient, pingBroker, type CallOptions, type RpcClientOptions } from "./client.js";
export { RpcServer, type Endpoint, type RpcHandler, type RpcServerOptions } from "./server.js";
export {
  MessageDeliveryFailure,
  MessagingError,
  MessagingTimeout,
  NoSuchMethod,
  RemoteError,
  TransportClosed,
  UnsupportedVersion,
  excType,
} from "./errors.js";
export { versionIsCompatible } from "./version.js";
export { zmqEndpoint } from "./url.js";
