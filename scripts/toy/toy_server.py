#!/usr/bin/env python3
"""The classroom toy bank's server: the comparison peer of the one-shot client benchmark, not a product.

A reproduction, for scripts/bench_compare.sh, of the small Python bank that ABC Bank's commands come from
(`client Alice create_account 1001 500`): a dict of accounts in memory, a thread per connection, one line in
and one line out. It has what made the toy quick to start and nothing that made ABC Bank correct: no
passwords, no journal (a restart forgets everything), no idempotency keys, no loans, one lock for the whole
bank. Standard library only.

    toy_server.py [--host 127.0.0.1] [--port 5060] [--port-file FILE] [--lifetime SECONDS]

Protocol, one request line per connection is the toy client's use, but a connection may send many:
    USER COMMAND [ARG...]\n   ->   OK text\n | ERROR text\n
Commands: create_account ACCOUNT [AMOUNT], deposit ACCOUNT AMOUNT, withdraw ACCOUNT AMOUNT,
transfer FROM TO AMOUNT, balance ACCOUNT, show_accountholders. Amounts are decimals with at most two places.
"""

import argparse
import os
import socketserver
import sys
import threading
from decimal import Decimal, InvalidOperation

MAX_LINE_BYTES = 4096  # a request is a few words: anything longer is refused, not buffered without end

accounts = {}  # account number -> {"owner": str, "cents": int}
lock = threading.Lock()  # the whole bank: the toy's way to keep two transfers from losing an update


def cents(text):
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount: {text}") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"not an amount: {text}")
    return int(amount * 100)


def money(value):
    return f"{value // 100}.{value % 100:02d}"


def owned(user, number):
    account = accounts.get(number)
    if account is None:
        raise ValueError(f"no account {number}")
    if account["owner"] != user:
        raise ValueError(f"{number} is not {user}'s")
    return account


def execute(user, command, args):
    """One command: the reply text, or ValueError with the reason. Runs under the bank's lock."""
    if command == "create_account" and len(args) in (1, 2):
        if args[0] in accounts:
            raise ValueError(f"account {args[0]} exists")
        accounts[args[0]] = {"owner": user, "cents": cents(args[1]) if len(args) == 2 else 0}
        return f"opened {args[0]}: balance {money(accounts[args[0]]['cents'])}"
    if command == "deposit" and len(args) == 2:
        account = owned(user, args[0])
        account["cents"] += cents(args[1])
        return f"deposited to {args[0]}: balance {money(account['cents'])}"
    if command == "withdraw" and len(args) == 2:
        account, amount = owned(user, args[0]), cents(args[1])
        if account["cents"] < amount:
            raise ValueError("insufficient funds")
        account["cents"] -= amount
        return f"withdrew from {args[0]}: balance {money(account['cents'])}"
    if command == "transfer" and len(args) == 3:
        source, amount = owned(user, args[0]), cents(args[2])
        if args[1] not in accounts or args[1] == args[0]:
            raise ValueError(f"cannot transfer to {args[1]}")
        if source["cents"] < amount:
            raise ValueError("insufficient funds")
        source["cents"] -= amount
        accounts[args[1]]["cents"] += amount
        return f"transferred to {args[1]}: balance {money(source['cents'])}"
    if command == "balance" and len(args) == 1:
        account = owned(user, args[0])
        return f"{args[0]} ({user}): balance {money(account['cents'])}"
    if command == "show_accountholders" and not args:
        return "; ".join(f"{n} {a['owner']} {money(a['cents'])}" for n, a in sorted(accounts.items()))
    raise ValueError(f"unknown command or wrong arguments: {command} {' '.join(args)}".rstrip())


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            if len(line) > MAX_LINE_BYTES:
                self.wfile.write(b"ERROR line too long\n")
                return
            words = line.decode("utf-8", "replace").split()
            if len(words) < 2:
                reply = "ERROR usage: USER COMMAND [ARG...]"
            else:
                try:
                    with lock:
                        reply = "OK " + execute(words[0], words[1], words[2:])
                except ValueError as e:
                    reply = f"ERROR {e}"
            self.wfile.write(reply.encode("utf-8") + b"\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True  # a thread per connection; none keeps the process alive at exit
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description="The classroom toy bank's server (a benchmark peer).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5060, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--lifetime", type=float, help="stop after this many seconds")
    options = parser.parse_args()
    with Server((options.host, options.port), Handler) as server:
        if options.port_file:
            with open(options.port_file + ".tmp", "w") as f:
                f.write(f"{server.server_address[1]}\n")
            os.replace(options.port_file + ".tmp", options.port_file)  # whole or absent, never half written
        if options.lifetime:
            threading.Timer(options.lifetime, server.shutdown).start()
        print(f"toy bank listening on {options.host}:{server.server_address[1]}", file=sys.stderr)
        server.serve_forever()


if __name__ == "__main__":
    main()
