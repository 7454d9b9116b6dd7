/**
 * The browser kept inside the crawler's fetcher (issue 20 item 4). Routing (`page.route`) sees the
 * page's HTTP requests; what it does not see is closed here: Chromium's own flags (no DNS resolution
 * of its own, so no prefetch or preconnect; no QUIC; no pings; WebRTC off UDP), a proxy that is a
 * sink on loopback (every connection that bypasses routing is dropped and counted), and a script
 * run before the page's that removes RTCPeerConnection. WebSockets are answered closed by the
 * session (routeWebSocket). Knows nothing of the crawl.
 */
import { createServer, type Server, type Socket } from 'node:net';

/**
 * The browser's own ways to the network, closed (issue 20 item 4): no DNS resolution by the browser
 * (prefetch, preconnect: names are resolved by the crawler's fetcher only), no QUIC, no pings or
 * reporting, WebRTC kept off UDP outside the proxy. The proxy itself (a loopback sink that drops every
 * connection, `--proxy-bypass-list=<-loopback>` so loopback is not exempt) is added at launch.
 */
export const CONTAINMENT_ARGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--dns-prefetch-disable',
  '--disable-quic',
  '--no-pings',
  '--disable-domain-reliability',
  '--disable-features=NetworkPrediction,DnsOverHttps,InterestFeedContentSuggestions,Translate,OptimizationHints,MediaRouter',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--enforce-webrtc-ip-permission-check',
  '--proxy-bypass-list=<-loopback>',
];

/** Methods a page's request may use (a list API's GET or POST); PUT, DELETE, PATCH and the rest are refused. */
export const ALLOWED_METHODS = new Set(['GET', 'POST']);

/** Run in every frame before the page's scripts: peer connections (WebRTC) do not exist. */
export const NO_WEBRTC = `(() => {
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'RTCIceTransport']) {
    try { Object.defineProperty(window, name, { value: undefined, writable: false, configurable: false }); } catch {}
  }
  try { if (navigator.mediaDevices) Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: false }); } catch {}
})();`;

/** A TCP sink on loopback: the browser's proxy. Every connection is counted and dropped at once. */
export async function startSink(onConnection: () => void): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    onConnection();
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    sock.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

