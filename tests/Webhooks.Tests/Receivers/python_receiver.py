# A receiver as people write them with Python's standard library: http.server, one request at a time, answering
# 204. "http10" speaks HTTP/1.0 and closes after each reply (BaseHTTPRequestHandler's default); "http11" keeps
# the connection open.
import http.server
import sys

port, version = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1" if version == "http11" else "HTTP/1.0"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        if self.protocol_version == "HTTP/1.1":
            self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Handler)
print("listening", flush=True)
server.serve_forever()
