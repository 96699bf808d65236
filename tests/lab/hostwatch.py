#!/usr/bin/env python3
"""hostwatch.py - proof that the fault lab leaks nothing into the host namespace.

    hostwatch.py RESULT

Runs in the host namespace, where the lab suite itself runs, until SIGTERM.
It opens one packet socket on every interface and only listens: the one
packet it sends is a UDP canary to 127.0.0.1 (loopback), which it must see
come back through the socket, so that "nothing seen" cannot mean "not
looking".  It counts the frames whose IPv4 or IPv6 source or destination is
in the lab's documentation ranges (198.51.100.0/24, 203.0.113.0/24,
2001:db8::/32), and DNS questions for a name under .lab: had slirp4netns (or
anything else of the lab) sent a packet from the host namespace, it would
carry one of these.

Writes "listening" to RESULT once the socket is open and, on SIGTERM, a
last line such as "frames=812 canary=1 leaks=0" (with the first leak
described after it when there is one).
"""
import ipaddress
import os
import select
import signal
import socket
import sys

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
LAB_NETS = [ipaddress.ip_network(n) for n in
            ("198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
LAB_QNAME = b"\x03lab\x00"  # the last label of a DNS question for NAME.lab
CANARY = b"chatlab-hostwatch-canary-%d" % os.getpid()
CANARY_PORT = 9  # discard: nothing needs to listen, the packet is what counts


class Stop(Exception):
    pass


def addresses(proto, pkt):
    """(source, destination, l4 protocol, l4 offset) of an IP packet, or None."""
    if proto == ETH_P_IP and len(pkt) >= 20:
        ihl = (pkt[0] & 0x0F) * 4
        return (ipaddress.IPv4Address(pkt[12:16]), ipaddress.IPv4Address(pkt[16:20]),
                pkt[9], ihl)
    if proto == ETH_P_IPV6 and len(pkt) >= 40:
        return (ipaddress.IPv6Address(pkt[8:24]), ipaddress.IPv6Address(pkt[24:40]),
                pkt[6], 40)
    return None


def is_lab_dns(l4, off, pkt):
    """A UDP or TCP packet to or from port 53 that names something under .lab."""
    if l4 not in (6, 17) or len(pkt) < off + 4:
        return False
    sport = int.from_bytes(pkt[off:off + 2], "big")
    dport = int.from_bytes(pkt[off + 2:off + 4], "big")
    return 53 in (sport, dport) and LAB_QNAME in pkt[off:]


def judge(proto, pkt):
    """'canary', a leak description, or None for an ordinary frame."""
    parsed = addresses(proto, pkt)
    if parsed is None:
        return None
    src, dst, l4, off = parsed
    if CANARY in pkt:
        return "canary"
    for addr in (src, dst):
        if any(addr in net for net in LAB_NETS):
            return "%s -> %s (protocol %d)" % (src, dst, l4)
    if is_lab_dns(l4, off, pkt):
        return "a DNS packet naming a .lab host: %s -> %s" % (src, dst)
    return None


def watch(result):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    frames = leaks = 0
    canary = False
    first_leak = ""
    with open(result, "w", encoding="utf-8") as out:
        out.write("listening\n")
        out.flush()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(CANARY, ("127.0.0.1", CANARY_PORT))
        try:
            while True:
                if not select.select([sock], [], [], 1.0)[0]:
                    continue
                pkt, addr = sock.recvfrom(65535)
                frames += 1
                what = judge(addr[1], pkt)
                if what == "canary":
                    canary = True
                elif what is not None:
                    leaks += 1
                    first_leak = first_leak or what
        except Stop:
            pass
        line = "frames=%d canary=%d leaks=%d" % (frames, canary, leaks)
        if first_leak:
            line += " first: " + first_leak
        out.write(line + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: hostwatch.py RESULT")

    def stop(_sig, _frame):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watch(sys.argv[1])


if __name__ == "__main__":
    main()
