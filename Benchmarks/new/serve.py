"""Serves Benchmarks/new's layouts on loopback, and an article page of its own for any other path."""
import http.server, sys, os

folder, port = sys.argv[1], int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        file = os.path.join(folder, path.lstrip("/"))
        if path != "/" and os.path.isfile(file):
            body = open(file, "rb").read()
            kind = "application/json" if file.endswith(".json") else "text/html; charset=utf-8"
        elif path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        else:
            text = " ".join(f"Sentence {k} of the article at {path}, which says what happened." for k in range(15))
            body = f"<html><head><title>Article {path}</title></head><body><article><h1>Article {path}</h1><p>{text}</p></article></body></html>".encode()
            kind = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
