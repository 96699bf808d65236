#!/usr/bin/env python3
"""fake_server.py - the fault lab's stand-ins for "something else is on 8888".

    fake_server.py silent PORT   accept every connection, never read or write
                                 (a hung server: the kernel still ACKs data)
    fake_server.py banner PORT   send an SSH banner on accept, then hold the
                                 connection without reading (another service)

Runs until SIGTERM.  Listens on every IPv4 address of its namespace, like a
careless server would.  At most HELD connections are kept open; older ones
are closed so a long interactive session cannot exhaust file descriptors.
"""
import socket
import sys

BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
HELD = 256
MODES = ("silent", "banner")


def serve(mode, port):
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
        sys.exit("usage: fake_server.py silent|banner PORT")
    serve(sys.argv[1], int(sys.argv[2]))


if __name__ == "__main__":
    main()
