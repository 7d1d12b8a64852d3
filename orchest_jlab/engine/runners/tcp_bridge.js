// Serves a Jupyter kernel's IPC sockets (what the client connects to: no TCP port outside the
// kernel's own loopback) by forwarding each connection to the kernel's TCP port on the loopback.
// ZMTP is the same bytes over both; Deno's kernel listens on TCP only. Run by that kernel's deno:
//   deno run -A bridge.js <IPC connection file> <TCP connection file to write>
const [ipcFile, tcpFile] = Deno.args;
const info = JSON.parse(await Deno.readTextFile(ipcFile));
const channels = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"];
const tcp = { ...info, transport: "tcp", ip: "127.0.0.1" };
for (const channel of channels) {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  tcp[channel] = probe.addr.port;
  probe.close();
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let started = false;

async function forward(conn, port) {
  let upstream;
  for (let attempt = 0; !upstream; attempt++) {
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      if (attempt >= 300) { // the kernel never listened (15 s): the client sees its kernel dead
        conn.close();
        return;
      }
      await sleep(50);
    }
  }
  if (!started) { // the kernel has read its connection file: the key need not stay on disk
    started = true;
    await Deno.remove(tcpFile).catch(() => {});
  }
  await Promise.allSettled([conn.readable.pipeTo(upstream.writable), upstream.readable.pipeTo(conn.writable)]);
}

for (const channel of channels) {
  const path = `${info.ip}-${info[channel]}`;
  await Deno.remove(path).catch(() => {});
  const listener = Deno.listen({ transport: "unix", path });
  (async () => {
    for await (const conn of listener) forward(conn, tcp[channel]);
  })();
}
await Deno.writeTextFile(tcpFile + ".part", JSON.stringify(tcp), { mode: 0o600 });
await Deno.rename(tcpFile + ".part", tcpFile);
