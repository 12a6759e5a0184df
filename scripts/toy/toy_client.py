#!/usr/bin/env python3
"""The classroom toy bank's one-shot client: the comparison peer of `scripts/client USER balance ACCOUNT`.

    toy_client.py USER COMMAND [ACCOUNT] [AMOUNT]     (transfer: USER transfer FROM TO AMOUNT)

Connects, sends one line, prints the one line that comes back, exits: 0 for OK, 1 for ERROR, 2 for a usage
error, 75 when the server cannot be reached. TOY_HOST and TOY_PORT say where the server is (default
127.0.0.1:5060). No password, no retry: it is the start-up cost that is compared, not the features.
Standard library only; imports only socket, os and sys, so that its start is Python's own.
"""

import os
import socket
import sys


def main(argv):
    if len(argv) < 3:
        print("usage: toy_client.py USER COMMAND [ACCOUNT] [AMOUNT]", file=sys.stderr)
        return 2
    host = os.environ.get("TOY_HOST", "127.0.0.1")
    port = int(os.environ.get("TOY_PORT", "5060"))
    try:
        with socket.create_connection((host, port), timeout=30) as connection:
            connection.sendall((" ".join(argv[1:]) + "\n").encode("utf-8"))
            reply = connection.makefile("rb").readline(65536).decode("utf-8").rstrip("\r\n")
    except OSError as e:
        print(f"error: cannot talk to {host}:{port}: {e}", file=sys.stderr)
        return 75
    if not reply:
        print(f"error: {host}:{port} closed the connection without a reply", file=sys.stderr)
        return 75
    status, _, text = reply.partition(" ")
    print(text if status == "OK" else f"error: {text}", file=sys.stdout if status == "OK" else sys.stderr)
    return 0 if status == "OK" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
