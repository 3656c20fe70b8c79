import net from 'node:net';

/**
 * A loopback server that speaks just enough of the PostgreSQL wire protocol to refuse a login the
 * way a real server does (cleartext password request, then FATAL 28P01), because the test server
 * trusts every local connection.
 */
export async function startPgAuthRejectingStub(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = Buffer.alloc(0);
    let user = '';
    let started = false;
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      if (!started) {
        if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
        const length = buffer.readInt32BE(0);
        const params = buffer.subarray(8, length).toString('utf8').split('\0');
        user = params[params.indexOf('user') + 1] ?? '';
        buffer = buffer.subarray(length);
        started = true;
        // AuthenticationCleartextPassword
        const auth = Buffer.alloc(9);
        auth.write('R', 0);
        auth.writeInt32BE(8, 1);
        auth.writeInt32BE(3, 5);
        socket.write(auth);
        return;
      }
      if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      const fields = [
        'SFATAL',
        'VFATAL',
        'C28P01',
        `Mpassword authentication failed for user "${user}"`,
        'Fauth.c',
        'L330',
        'Rauth_failed',
      ];
      const body = Buffer.from(`${fields.join('\0')}\0\0`, 'utf8');
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeInt32BE(body.length + 4, 1);
      socket.end(Buffer.concat([header, body]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
