"""A web server that answers every request after a fixed delay, for the fetch benchmark's latency case.

Usage: slow-server.py PORT DELAY_SECONDS PAGES_DIR LINKS_PER_LIST

Listens on every local address, so 127.0.0.2 to 127.0.0.51 each stand for a distant host. Answers:
/robots.txt (404), /index.html (a list of LINKS_PER_LIST article links) and /a/N.html (a page of PAGES_DIR,
the same for every host). Keep-alive (HTTP/1.1), one thread per connection.
"""
import http.server
import os
import sys
import time

port, delay, pages_dir, links = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
pages = sorted(os.path.join(pages_dir, name) for name in os.listdir(pages_dir) if name.endswith(".html"))
bodies = [open(path, "rb").read() for path in pages]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(delay)
        status, body = 200, b""
        if self.path == "/robots.txt":
            status = 404
        elif self.path == "/index.html":
            items = "".join(f'<li><a href="/a/{i}.html">Article {i}</a></li>' for i in range(links))
            body = f"<html><body><ul>{items}</ul></body></html>".encode()
        elif self.path.startswith("/a/") and self.path.endswith(".html"):
            number = int(self.path[3:-5])
            body = bodies[number % len(bodies)]
        else:
            status = 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    # A connection per transfer at once: the listen backlog must hold them all, or connections wait for
    # the kernel's SYN retry (a second and more) and the delay measured is not the server's.
    request_queue_size = 1024
    daemon_threads = True


Server(("0.0.0.0", port), Handler).serve_forever()
