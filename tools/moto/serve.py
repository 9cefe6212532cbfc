"""moto's server with DynamoDB's atomicity, and transactions that cost what they touch.

1. moto_server handles requests on concurrent threads without a lock around its backends, so two
   conditional writes on one key can both succeed (measured: 2 winners in 1 of 60 rounds of 16
   concurrent `attribute_not_exists` puts). DynamoDB documents conditional writes as atomic, and
   Sluice's idempotency rests on that, so this launcher serialises request handling; connections
   are still accepted and read concurrently.
2. moto's TransactWriteItems backs up every table it names with a deep copy before it starts, so a
   transaction on a table of n items costs O(n) time and garbage: the chaos suite's 3,000
   transactions on a table of 10,000 records kept the server at 100 % CPU and 4 GB. This launcher
   backs up only the items the transaction names and restores them when it is cancelled; moto's
   own checks, writes and cancellation reasons are unchanged.

Usage: sluice-moto-server [-H HOST] [-p PORT]
"""
import argparse
import copy
import signal
import sys
import threading

from werkzeug.serving import run_simple

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
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


class _TablesNotCopied:
    """Stands in for the `copy` module inside moto's DynamoDB models: tables are not deep-copied."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _named_key(backend, op):
    table = backend.tables.get(op.get("TableName"))
    if table is None:
        return None
    if "Key" in op:
        return op["Key"]
    item = op.get("Item", {})
    key = {table.hash_key_attr: item.get(table.hash_key_attr)}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = item.get(table.range_key_attr)
    return key if all(value is not None for value in key.values()) else None


def _item_level_transactions():
    whole_table_backup = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        before = []
        for entry in transact_items[:100]:
            op = next(iter(entry.values()), {}) if isinstance(entry, dict) else {}
            key = _named_key(self, op) if isinstance(op, dict) else None
            if key is None:
                continue
            try:
                current = self.get_item(op["TableName"], key)
            except Exception:  # an invalid key: moto rejects the transaction before writing it
                continue
            before.append((op["TableName"], key, None if current is None else copy.deepcopy(current.to_json()["Attributes"])))
        try:
            return whole_table_backup(self, transact_items)
        except Exception:
            for table_name, key, attributes in reversed(before):
                if attributes is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attributes)
            raise

    dynamodb_models.copy = _TablesNotCopied()
    DynamoDBBackend.transact_write_items = transact_write_items


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    _item_level_transactions()
    app = Serialised(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
