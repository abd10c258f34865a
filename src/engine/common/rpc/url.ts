/**
 * Transport URLs as written in `[DEFAULT] transport_url`: `zmq://host:port` (the pocketstack bus) or a
 * raw ZeroMQ endpoint `tcp://host:port` / `ipc:///path`. Returns the ZeroMQ endpoint to bind or connect.
 */
export class TransportURLError extends Error {
  override name = "InvalidTransportURL";
}

export function zmqEndpoint(transportUrl: string): string {
  const url = transportUrl.trim();
  if (url.startsWith("tcp://") || url.startsWith("ipc://") || url.startsWith("inproc://")) return url;
  const m = /^zmq:\/\/(\[[0-9a-fA-F:]+\]|[^:/]+):(\d{1,5})\/?$/.exec(url);
  if (!m) {
    throw new TransportURLError(`invalid transport URL '${transportUrl}': expected zmq://HOST:PORT (for example zmq://127.0.0.1:5679)`);
  }
  const port = Number(m[2]);
  if (port > 65535) throw new TransportURLError(`invalid transport URL '${transportUrl}': port ${port} is out of range`);
  return `tcp://${m[1]}:${port}`;
}
