// A loopback CONNECT proxy for the proxy tests: it tunnels to loopback
// targets only (or refuses every tunnel with a given status) and records
// each CONNECT, with the credentials it carried, so a test can show what
// the proxy saw and that the server's token never went to it.

import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ConnectProxy {
  url: string;
  connects: { target: string; authorization: string | undefined; proxyAuthorization: string | undefined }[];
}

/** Starts the proxy; `onClose` receives what stops it (the test's cleanup list). */
export async function connectProxy(onClose: (close: () => Promise<unknown>) => void, refuse?: number): Promise<ConnectProxy> {
  const connects: ConnectProxy['connects'] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    connects.push({ target: String(req.url), authorization: req.headers.authorization, proxyAuthorization: req.headers['proxy-authorization'] });
    const [host, port] = String(req.url).split(':');
    if (refuse !== undefined || host !== '127.0.0.1') {
      socket.end(`HTTP/1.1 ${refuse ?? 403} Tunnel refused\r\n\r\n`);
      return;
    }
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onClose(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connects };
}
