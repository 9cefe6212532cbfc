"""moto's server with DynamoDB's atomicity: one request is handled at a time.

moto_server handles requests on concurrent threads without a lock around its backends, so two
conditional writes on one key can both succeed (measured: 2 winners in 1 of 60 rounds of 16
concurrent `attribute_not_exists` puts). DynamoDB documents conditional writes as atomic, and
Sluice's idempotency rests on that, so this launcher serialises request handling; connections are
still accepted and read concurrently.

Usage: sluice-moto-server [-H HOST] [-p PORT]
"""
import argparse
import signal
import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


class Serialised:
    """WSGI middleware: runs the wrapped application under one lock, body included."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return list(self.app(environ, start_response))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    app = Serialised(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
