"""A fast webhook receiver for the benchmarks, in a process of its own so
that it neither shares the load generator's interpreter lock nor slows it:
an asyncio server with a minimal HTTP/1.1 parser (Content-Length bodies,
keep-alive) that answers 204 at once, counts requests and, when asked,
hands each request's arrival time (`time.time()`, the clock the servers
stamp their rows with) and body to the parent. It verifies nothing: the
signatures are the tests' business (testkit::webhooks), not the
benchmark's."""

import asyncio
import multiprocessing
import socket
import time

ANSWER = b"HTTP/1.1 204 No Content\r\n\r\n"


class Receiver:
    """Started at once on a free loopback port; `url(path)` for a
    subscription, `count()` of requests so far, `arrivals()` of those not
    yet taken when recording, `stop()`."""

    def __init__(self, record=False):
        context = multiprocessing.get_context("fork")
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.counter = context.Value("q", 0, lock=False)
        self.queue = context.Queue() if record else None
        self.process = context.Process(target=_serve, args=(self.sock, self.counter, self.queue), daemon=True)
        self.process.start()

    def url(self, path="/hooks"):
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self):
        return self.counter.value

    def arrivals(self):
        """(arrival time, body bytes) of the requests received since the
        last call (recording receivers only)."""
        taken = []
        while True:
            try:
                taken.append(self.queue.get_nowait())
            except Exception:  # queue.Empty, from the multiprocessing module's queue
                return taken

    def stop(self):
        self.process.terminate()
        self.process.join(timeout=10)
        self.sock.close()


def _serve(sock, counter, queue):
    class Hook(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport, self.buffer = transport, b""

        def data_received(self, data):
            self.buffer += data
            while True:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                length = 0
                for line in self.buffer[:end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                whole = end + 4 + length
                if len(self.buffer) < whole:
                    return
                arrived = time.time()
                body, self.buffer = self.buffer[end + 4:whole], self.buffer[whole:]
                counter.value += 1
                if queue is not None:
                    queue.put((arrived, body))
                self.transport.write(ANSWER)

    async def main():
        server = await asyncio.get_running_loop().create_server(Hook, sock=sock)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
