"""A web server that answers every request after a fixed delay, for the fetch benchmark's latency case.

Usage: slow-server.py PORT DELAY_SECONDS PAGES_DIR LINKS_PER_LIST

Listens on every local address, so 127.0.0.2 to 127.0.0.51 each stand for a distant host. Answers:
/robots.txt (404), /index.html (a list of LINKS_PER_LIST article links) and /a/N.html (a page of PAGES_DIR,
each host its own, so that the pages of all hosts together are the folder's pages in turn).
HTTP/1.1 with keep-alive, on asyncio: waiting costs no thread, so the delay measured is the delay given
and not the server's own queueing.
"""
import asyncio
import os
import sys

port, delay, pages_dir, links = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
pages = sorted(os.path.join(pages_dir, name) for name in os.listdir(pages_dir) if name.endswith(".html"))
bodies = [open(path, "rb").read() for path in pages]
index = ("<html><body><ul>" + "".join(f'<li><a href="/a/{i}.html">Article {i}</a></li>' for i in range(links))
         + "</ul></body></html>").encode()


def answer(path, host):
    if path == "/index.html":
        return 200, index
    if path.startswith("/a/") and path.endswith(".html") and path[3:-5].isdigit():
        # 127.0.0.H's article N is page LINKS_PER_LIST × H + N of the folder.
        number = int(host.rsplit(".", 1)[-1] or 0) * links + int(path[3:-5])
        return 200, bodies[number % len(bodies)]
    return 404, b""


async def serve(reader, writer):
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            lines = request.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
            host = headers.get("Host", headers.get("host", "")).strip().split(":")[0]
            await asyncio.sleep(delay)
            status, body = answer(path, host)
            writer.write(f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                         f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                         + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "0.0.0.0", port, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main())
