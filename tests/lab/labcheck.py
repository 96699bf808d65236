#!/usr/bin/env python3
"""labcheck.py - what a plain socket sees from a lab node, without netprobe.

    labcheck.py HOST PORT

Prints one line of key=value words, one per step reached, for example
"dns=ok icmp=ok tcp=open app=chatd echo=ok".  The lab suite compares it with
the `check` column of tests/lab/scenarios.tsv, which proves that the lab
really built the fault a scenario claims, independently of netprobe.

    dns   ok | literal | nodata | nxdomain | timeout | error   (A record)
    icmp  ok | none            (one echo request, 1 s; needs root)
    tcp   open | refused | prohibited | unreachable | timeout | error
    app   chatd | full | banner | silent | closed   (after the netprobe hello;
          full: chatd answered ERR server_full)
    echo  ok | stall            (ECHO of ECHO_SIZE bytes, chatd only)

When the name exists (dns=ok or nodata), its AAAA record is looked up too
and, if there is one, the IPv6 address gets the same steps without ping
and echo, as dns6, tcp6 and app6: "dns6=ok tcp6=timeout".  A name with no
AAAA record prints dns6=nodata.

Every step is bounded (see the constants); the whole run takes under 10 s.
"""
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import time

CONNECT_SEC = 2.0
APP_SEC = 1.5
ECHO_SEC = 3.0
ECHO_SIZE = 6000  # several full-size segments: a 1280-byte MTU hole eats them
PING_SEC = 1.0
TCP_ERRNO_WORDS = {
    111: "refused",      # ECONNREFUSED: a TCP reset came back
    113: "prohibited",   # EHOSTUNREACH: ICMP host/admin prohibited or unreachable
    101: "unreachable",  # ENETUNREACH: no route
}


def resolve(host, family=socket.AF_INET):
    try:
        if ipaddress.ip_address(host).version == (4 if family == socket.AF_INET else 6):
            return "literal", host
        return "nodata", None
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, family, socket.SOCK_STREAM)
        return "ok", infos[0][4][0]
    except socket.gaierror as err:
        if err.errno == getattr(socket, "EAI_NODATA", None):
            return "nodata", None
        if err.errno == socket.EAI_NONAME:
            return "nxdomain", None
        if err.errno == socket.EAI_AGAIN:
            return "timeout", None
        return "error", None


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def ping(addr):
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    except OSError:
        return "error"
    ident = os.getpid() & 0xFFFF
    body = b"labcheck"
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    packet = struct.pack("!BBHHH", 8, 0, checksum(header + body), ident, 1) + body
    with sock:
        try:
            sock.sendto(packet, (addr, 0))
        except OSError:
            return "none"
        deadline = time.monotonic() + PING_SEC
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([sock], [], [], left)[0]:
                break
            reply = sock.recv(2048)
            ihl = (reply[0] & 0x0F) * 4
            if len(reply) >= ihl + 8:
                rtype, _, _, rid, _ = struct.unpack("!BBHHH", reply[ihl:ihl + 8])
                if rtype == 0 and rid == ident:
                    return "ok"
    return "none"


def connect(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_SEC)
    try:
        sock.connect((addr, port))
        return "open", sock
    except socket.timeout:
        word = "timeout"
    except OSError as err:
        word = TCP_ERRNO_WORDS.get(err.errno, "error")
    sock.close()
    return word, None


def read_until(sock, seconds, done):
    """Reads into a buffer until done(buffer) or the deadline or EOF."""
    buf = b""
    deadline = time.monotonic() + seconds
    while not done(buf) and (left := deadline - time.monotonic()) > 0:
        if not select.select([sock], [], [], left)[0]:
            break
        try:
            chunk = sock.recv(65536)
        except OSError:
            return buf, True
        if not chunk:
            return buf, True
        buf += chunk
    return buf, False


def hello_reply(buf):
    for line in buf.split(b"\n")[:-1]:
        if line.startswith(b"{"):
            return line
    return None


def app_check(sock):
    sock.sendall(b"NETPROBE 1 labcheck\n")
    buf, closed = read_until(sock, APP_SEC, hello_reply)
    line = hello_reply(buf)
    if line is not None:
        try:
            if json.loads(line).get("server") == "chatd":
                return "chatd"
        except ValueError:
            pass
        return "banner"
    # chatd's own refusal, before it closes (docs/protocol.md).
    if buf.startswith(b"ERR server_full"):
        return "full"
    if buf:
        return "banner"
    return "closed" if closed else "silent"


def echo_check(sock):
    header = b"ECHO %d\n" % ECHO_SIZE
    payload = bytes(i % 251 for i in range(ECHO_SIZE))
    sock.setblocking(False)
    want = header + payload
    sent = 0
    got = b""
    deadline = time.monotonic() + ECHO_SEC
    while got != want and (left := deadline - time.monotonic()) > 0:
        wlist = [sock] if sent < len(want) else []
        readable, writable, _ = select.select([sock], wlist, [], left)
        if writable:
            sent += sock.send(want[sent:])
        if readable:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    return "ok" if got == want else "stall"


def ipv6_words(host, port):
    """dns6, tcp6 and app6 for the name's AAAA record."""
    outcome, addr = resolve(host, socket.AF_INET6)
    words = ["dns6=" + outcome]
    if addr is not None:
        outcome, sock = connect(addr, port)
        words.append("tcp6=" + outcome)
        if sock is not None:
            with sock:
                words.append("app6=" + app_check(sock))
    return words


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: labcheck.py HOST PORT")
    host, port = sys.argv[1], int(sys.argv[2])
    words = []
    dns, addr = resolve(host)
    words.append("dns=" + dns)
    if addr is not None:
        words.append("icmp=" + ping(addr))
        outcome, sock = connect(addr, port)
        words.append("tcp=" + outcome)
        if sock is not None:
            with sock:
                app = app_check(sock)
                words.append("app=" + app)
                if app == "chatd":
                    words.append("echo=" + echo_check(sock))
    if dns in ("ok", "nodata"):
        words += ipv6_words(host, port)
    print(" ".join(words))


if __name__ == "__main__":
    main()
