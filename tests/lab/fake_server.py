#!/usr/bin/env python3
"""fake_server.py - the fault lab's stand-ins for "something else is on 8888".

    fake_server.py silent PORT   accept every connection, never read or write
                                 (a hung server: the kernel still ACKs data)
    fake_server.py banner PORT   send an SSH banner on accept, then hold the
                                 connection without reading (another service)
    fake_server.py reader PORT   the course's original server: a thread per
                                 client that recv()s, prints what came and
                                 forwards it to the OTHER clients only; it
                                 reads every byte and never answers the sender

Runs until SIGTERM.  Listens on every IPv4 address of its namespace, like a
careless server would.  At most HELD connections are kept open; older ones
are closed so a long interactive session cannot exhaust file descriptors.
"""
import socket
import sys
import threading

BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
HELD = 256
MODES = ("silent", "banner", "reader")


class Room:
    """The course server's client list, with the lock it lacked."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clients = []

    def join(self, conn):
        with self.lock:
            self.clients.append(conn)

    def leave(self, conn):
        with self.lock:
            if conn in self.clients:
                self.clients.remove(conn)

    def others(self, conn):
        with self.lock:
            return [c for c in self.clients if c is not conn]


def read_and_forward(room, conn):
    """recv() until the client leaves; print and forward, answer nobody."""
    room.join(conn)
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                break
            sys.stdout.write(data.decode("utf-8", "replace"))
            for other in room.others(conn):
                try:
                    other.sendall(data)
                except OSError:
                    room.leave(other)  # a dead peer must not stop the others
    except OSError:
        pass  # reset by the peer: the client is gone either way
    finally:
        room.leave(conn)
        conn.close()


def serve_reader(port):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", port))
    lsock.listen(64)
    room = Room()
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=read_and_forward, args=(room, conn), daemon=True).start()


def serve(mode, port):
    if mode == "reader":
        serve_reader(port)
        return
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", port))
    lsock.listen(64)
    held = []
    while True:
        conn, _ = lsock.accept()
        if mode == "banner":
            try:
                conn.sendall(BANNER)
            except OSError:
                # The peer left already; nothing to hold.
                conn.close()
                continue
        held.append(conn)
        if len(held) > HELD:
            held.pop(0).close()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES or not sys.argv[2].isdigit():
        sys.exit("usage: fake_server.py silent|banner|reader PORT")
    serve(sys.argv[1], int(sys.argv[2]))


if __name__ == "__main__":
    main()
