/*
 * advice.c - the words for every verdict and finding code, in one table.
 *
 * Written for students who may read English as a second language: short
 * sentences, concrete commands, the EC2 console path spelled out.  Causes
 * are in order of likelihood for the course's setup (chatd on EC2 port
 * 8888, the client on a laptop or a VirtualBox VM).  Every entry's doc
 * anchor is a heading in docs/troubleshooting.md; tests/unit/netprobe_advice.c
 * checks that, and that every code is here exactly once.
 */
#include "netprobe/advice.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

#define DOC(code) "docs/troubleshooting.md#" code

/* Every text but the code is N_() and translated when printed
 * (advice_render).  The console path to a security group's inbound rules,
 * "EC2 > Instances > your instance > Security > Security groups > (the
 * group) > Edit inbound rules", is spelled out in each text that needs it:
 * xgettext cannot see through a macro. */

/* Short names for the cause kinds in the table below. */
#define EDGE CAUSE_CLOUD_EDGE
#define PATH CAUSE_PATH
#define HOST CAUSE_SERVER_HOST
#define PROG CAUSE_SERVER_PROGRAM
#define NOT_CHATD CAUSE_NOT_CHATD
#define HERE CAUSE_THIS_MACHINE
#define PRIV CAUSE_PRIVATE_TARGET
#define ANY CAUSE_ANY

/* The cause and fix step every verdict that can follow a failed handshake
 * carries for a private target (the finding private_target leads with it;
 * without the finding the verdict rules it out). */
#define PRIVATE_CAUSE                                                                              \
    N_("the address dialled is private (the EC2 console's Private IPv4, 172.31.x.x in a default "  \
       "VPC): it works only inside AWS, not from your network")
#define PRIVATE_FIX                                                                                \
    N_("Dial the instance's Public IPv4 address or public DNS name: EC2 > Instances > your "       \
       "instance > Details > Public IPv4 address (or Public IPv4 DNS)")

/* Findings, --local verdicts and the verdicts whose causes the evidence
 * never tells apart: every cause and step is general. */
#define GENERAL_ONLY .cause_kinds = {ANY}

static const struct advice ADVICE[] = {
    /* ---- client verdicts ---- */
    {
        "ok",
        ADVICE_VERDICT,
        N_("chatd answered on port {port}: the network, the firewalls and the server all work."),
        {N_("nothing is wrong: every check from this machine to chatd passed"), NULL},
        {N_("Start chatting: chat {host} {port}"),
         N_("If chat itself still fails, the network is not the problem: attach netprobe's JSON "
            "report to your bug report (the last line says where it is, or how to save one)"),
         NULL},
        DOC("ok"),
        GENERAL_ONLY,
    },
    {
        "dns_failure",
        ADVICE_VERDICT,
        N_("The server's name could not be turned into an address."),
        {N_("the name is misspelled or does not exist (an EC2 public DNS name changes when the "
            "instance is stopped and started)"),
         N_("the resolver did not answer in time: no network yet, or a VPN or campus DNS server "
            "that does not reply"),
         N_("no resolver is configured on this machine (no nameserver line in /etc/resolv.conf)"),
         N_("-4 or -6 asked for one family and the name has addresses of the other only (an "
            "IPv6-only name with -4, a name with only an A record with -6)"),
         NULL},
        {N_("Check the name letter by letter, or use the public IPv4 address instead: EC2 > "
            "Instances > your instance > Public IPv4 address"),
         N_("Test the resolver by hand: host NAME or nslookup NAME (NXDOMAIN means the name does "
            "not exist; a timeout means the resolver does not answer)"),
         N_("In a VirtualBox VM, check that the VM has a network at all: ip a must show an address "
            "and ip route a default route"),
         N_("If the evidence says no_family, run netprobe without -4/-6: netprobe {host} {port}"),
         NULL},
        DOC("dns_failure"),
        GENERAL_ONLY,
    },
    {
        "no_route",
        ADVICE_VERDICT,
        /* TRANSLATORS: {address} becomes "address", "IPv4 address" or "IPv6 address". */
        N_("There is no route to the server's {address}: the connection failed before it got "
           "anywhere."),
        {N_("this machine has no working network or no default route (Wi-Fi off, cable out, or a "
            "VM adapter that is not connected)"),
         N_("the address is IPv6 and this machine has no IPv6 route (a name with only IPv6 "
            "addresses, AAAA and no A record, cannot be reached from an IPv4-only network)"),
         N_("a router answered that the host or network cannot be reached (for example the "
            "instance is stopped)"),
         N_("a VPN or a wrong static route sends the address nowhere"), PRIVATE_CAUSE, NULL},
        {N_("Run ip a and ip route: the outgoing interface needs an address, and one line must "
            "start with 'default'"),
         N_("In VirtualBox: the VM > Settings > Network > Adapter 1 must be enabled, with 'Cable "
            "Connected' ticked"),
         N_("If only IPv6 fails, use IPv4: netprobe -4 {host} {port}; a server with only IPv6 "
            "addresses needs a network with IPv6 (ip -6 route must show a default route), or a "
            "public IPv4 address and an A record on the server's side"),
         N_("Check in the EC2 console that the instance is running, then disconnect any VPN and "
            "try again"),
         PRIVATE_FIX, NULL},
        DOC("no_route"),
        .cause_kinds = {HERE, HERE, HOST, HERE, PRIV},
        .fix_kinds = {HERE, HERE, HERE, HOST, PRIV},
    },
    {
        "filtered_drop",
        ADVICE_VERDICT,
        N_("Nothing answered TCP port {port}: the connection attempts were dropped silently on the "
           "way."),
        {N_("the security group has no inbound rule for TCP {port} from your address"),
         N_("a network ACL on the server's subnet drops it"),
         N_("a firewall on the way (campus, home router) drops it"),
         N_("a firewall on the server drops it (ufw default deny, an iptables or nft DROP rule)"),
         N_("the instance is stopped, or its public IPv4 address changed (it changes at every stop "
            "and start unless it is an Elastic IP)"),
         PRIVATE_CAUSE, NULL},
        {N_("Open the EC2 console: EC2 > Instances > your instance > Security > Security groups > "
            "(the group) > Edit inbound rules"),
         /* TRANSLATORS: {anywhere} becomes 0.0.0.0/0, ::/0 or both, by the family that failed. */
         N_("Add rule: Custom TCP, port {port}, source My IP (or {anywhere} for everyone), then "
            "Save rules; the change applies at once"),
         N_("Check that the instance is running and that you dial its current Public IPv4 address"),
         N_("On the server, check its own firewall: sudo ufw status (allow with sudo ufw allow "
            "{port}/tcp), or look for DROP rules in sudo iptables -S and sudo nft list ruleset"),
         N_("Still dropped: check the subnet's network ACL (VPC > Network ACLs > Inbound rules)"),
         N_("Try from another network, such as a phone hotspot: if it works there, a firewall on "
            "your first network drops TCP {port}; ask its administrators"),
         N_("To tell these apart, on the server: netprobe --local {port} checks chatd and the "
            "server's own firewall, and sudo netprobe --watch {port} shows whether our SYNs arrive "
            "(they arrive: the server drops them; they do not: the security group, a network ACL "
            "or the way)"),
         PRIVATE_FIX, NULL},
        DOC("filtered_drop"),
        .cause_kinds = {EDGE, EDGE, PATH, HOST, HOST, PRIV},
        .fix_kinds = {EDGE, EDGE, HOST, HOST, EDGE, PATH, ANY, PRIV},
    },
    {
        "rejected",
        ADVICE_VERDICT,
        N_("A firewall refused the connection to port {port}: an ICMP error came back instead of "
           "an answer."),
        {N_("a host firewall REJECT rule on the server (iptables -j REJECT, nft reject, "
            "firewalld), which answers with ICMP admin-prohibited or port-unreachable"),
         N_("a firewall on the way (campus, company network) that rejects instead of dropping"),
         PRIVATE_CAUSE, NULL},
        {N_("Look at who sent the ICMP error (the 'from' address in the evidence): the server's "
            "own address means its host firewall; any other address is a firewall on the way"),
         N_("On the server: find the rule with sudo iptables -S | grep -i reject or sudo nft list "
            "ruleset, and remove it or add an accept rule for TCP {port} before it"),
         N_("If the error comes from your side of the network, try from another network (a phone "
            "hotspot) and ask its administrators about TCP port {port}"),
         PRIVATE_FIX, NULL},
        DOC("rejected"),
        .cause_kinds = {HOST, PATH, PRIV},
        .fix_kinds = {ANY, HOST, PATH, PRIV},
    },
    {
        "refused",
        ADVICE_VERDICT,
        N_("The server answered with a TCP reset: nothing accepts connections on port {port} at "
           "that address."),
        {N_("nothing listens on port {port} at that address: chatd is not running (never started, "
            "exited, or crashed)"),
         N_("chatd is bound to 127.0.0.1 and you reach it from outside"),
         N_("chatd listens on a port other than {port}"),
         N_("a host firewall rejects with a TCP reset (ufw reject, or iptables REJECT "
            "--reject-with tcp-reset)"),
         N_("a firewall or intrusion-prevention system on the way forges the reset in the "
            "server's name (netprobe --capture tells it from the server's own by its TTL)"),
         PRIVATE_CAUSE, NULL},
        {N_("On the server, run sudo ss -ltnp 'sport = :{port}'; no line means nothing listens: "
            "start chatd (chatd --port {port}, or sudo systemctl start chatd and read journalctl "
            "-u chatd for why it stopped)"),
         N_("If the line shows 127.0.0.1:{port}, restart chatd without --bind: chatd --port {port} "
            "listens on every address, IPv4 and IPv6"),
         N_("If ss shows chatd on every address (0.0.0.0:{port}, [::]:{port} or *:{port}) and the "
            "reset remains, look for a reset rule: sudo iptables -S | grep -i reset, or sudo nft "
            "list ruleset"),
         N_("Try from another network (a phone hotspot): if the port answers there, a firewall on "
            "your first network resets connections to TCP {port}; ask its administrators"),
         N_("To tell these apart, on the server: netprobe --local {port} says whether chatd "
            "listens on every address and whether the server's firewall rejects, and sudo "
            "netprobe --watch {port} shows whether our SYNs arrive and who answers them"),
         PRIVATE_FIX, NULL},
        DOC("refused"),
        .cause_kinds = {PROG, PROG, PROG, HOST, PATH, PRIV},
        .fix_kinds = {PROG, PROG, HOST, PATH, ANY, PRIV},
    },
    {
        "connected_silent",
        ADVICE_VERDICT,
        N_("The connection to port {port} opened, but nothing answered within the timeout."),
        {N_("the server program accepted the connection but never reads (stuck, blocked, or not "
            "calling recv)"),
         N_("the program on the port is hung or stopped (for example suspended with Ctrl+Z): the "
            "kernel still completes handshakes for it"),
         N_("a middlebox (proxy, VPN, firewall) completed the handshake itself and forwards "
            "nothing"),
         N_("the program on the port reads what arrives but does not answer this protocol: it is "
            "not chatd (the course's original server, for example, prints what it receives and "
            "forwards it only to the other clients)"),
         NULL},
        {N_("Read the evidence: a receive window that closed means the server program is not "
            "reading; one that stayed open means it reads and is not chatd; bytes never "
            "acknowledged were lost on the way"),
         N_("On the server: sudo ss -ltnp 'sport = :{port}' shows which program owns the port; "
            "restart chatd (sudo systemctl restart chatd)"),
         N_("Connect by hand with nc -v {host} {port}: chatd greets at once with a NOTICE welcome "
            "line"),
         N_("Watch the server with sudo tcpdump -ni any port {port} to see whether our data "
            "arrives; if it does not, try from another network without VPN or proxy"),
         N_("On the server, netprobe --local {port} names the program that listens, and sudo "
            "netprobe --watch {port} shows whether our connection and data arrive"),
         NULL},
        DOC("connected_silent"),
        .cause_kinds = {PROG, PROG, PATH, NOT_CHATD},
        .fix_kinds = {ANY, PROG, ANY, PATH, ANY},
    },
    {
        "server_closed",
        ADVICE_VERDICT,
        N_("The server accepted the connection to port {port}, then closed or reset it before "
           "answering."),
        {N_("the program on the port is not chatd and closes at once, or crashes on each "
            "connection"),
         N_("chatd stopped or crashed while netprobe was talking to it"),
         N_("a firewall or intrusion-prevention system on the way resets the connection"), NULL},
        {N_("Connect by hand: nc -v {host} {port}; chatd says why before it closes (for example "
            "ERR server_full)"),
         N_("On the server, read chatd's log at the time of the probe: journalctl -u chatd -n 50"),
         N_("On the server, sudo ss -ltnp 'sport = :{port}' shows which program owns the port"),
         N_("If the server's log shows no connection at all, capture on both ends with sudo "
            "tcpdump -ni any port {port} to see who sends the reset"),
         NULL},
        DOC("server_closed"),
        .cause_kinds = {NOT_CHATD, PROG, PATH},
        .fix_kinds = {ANY, PROG, NOT_CHATD, PATH},
    },
    {
        "wrong_service",
        ADVICE_VERDICT,
        N_("Something answered on port {port}, but it is not chatd."),
        {N_("another program listens on {port} on the server (a leftover test server, nc -l, "
            "another project)"),
         N_("you are probing the wrong address or port (another instance, or an address that "
            "belongs to someone else since a stop and start)"),
         N_("a proxy or a captive portal (Wi-Fi login page) answers in the server's place"), NULL},
        {N_("Read the banner in the evidence: it is the first thing the other service said"),
         N_("On the server: sudo ss -ltnp 'sport = :{port}' (or sudo lsof -i :{port}) names the "
            "program; stop it and start chatd"),
         N_("Check the address: EC2 > Instances > your instance > Public IPv4 address"),
         N_("If a login page is in the way, open a browser, log in to the Wi-Fi, and probe again"),
         NULL},
        DOC("wrong_service"),
        .cause_kinds = {NOT_CHATD, ANY, PATH},
        .fix_kinds = {ANY, NOT_CHATD, ANY, PATH},
    },
    {
        "mtu_blackhole",
        ADVICE_VERDICT,
        N_("Small messages get through but large ones stall: large packets are lost on the way, "
           "the mark of a path MTU black hole."),
        {N_("the security group or a firewall blocks all ICMP, including 'fragmentation needed' "
            "(type 3 code 4)"),
         N_("a link on the way has a smaller MTU (VPN, tunnel, PPPoE) and a firewall drops the "
            "ICMP 'fragmentation needed' messages that would tell the sender"),
         NULL},
        {N_("Let the messages path MTU discovery needs through: EC2 > Instances > your instance > "
            "Security > Security groups > (the group) > Edit inbound rules > Add rule: Custom ICMP "
            "- IPv4, Destination Unreachable, fragmentation required, source 0.0.0.0/0"),
         N_("Workaround on the client: lower the interface MTU to the path MTU the evidence "
            "measured, sudo ip link set dev IFACE mtu MTU (IFACE from ip a)"),
         N_("On a VPN, set a lower MTU on the tunnel interface, or ask its administrators to clamp "
            "the TCP MSS"),
         NULL},
        DOC("mtu_blackhole"),
        .cause_kinds = {EDGE, PATH},
        .fix_kinds = {EDGE, ANY, PATH},
    },
    {
        "data_corruption",
        ADVICE_VERDICT,
        N_("Bytes came back different from what netprobe sent: something on the way changes the "
           "data."),
        {N_("a middlebox rewrites the traffic (a transparent proxy, an antivirus 'web shield', a "
            "captive portal)"),
         N_("the program on the port echoes something else than what it received (not chatd, or a "
            "modified chatd)"),
         N_("faulty hardware or network card offload (rare: TCP checksums usually catch it)"),
         NULL},
        {N_("Probe again from another network (a phone hotspot); if it passes there, the first "
            "network's proxy or filter is the cause"),
         N_("Turn off antivirus network-inspection features on the client for one test"),
         N_("Start chatd --diag on the server and compare what its log shows arriving with what "
            "was sent"),
         NULL},
        DOC("data_corruption"),
        .cause_kinds = {PATH, NOT_CHATD, ANY},
        .fix_kinds = {PATH, PATH, ANY},
    },
    {
        "local_firewall",
        ADVICE_VERDICT,
        N_("A firewall on this machine stops the connection to port {port} before it leaves: the "
           "server never sees it."),
        {N_("a firewall rule on this machine drops or rejects outgoing TCP to port {port} (ufw "
            "with 'default deny outgoing', an nft output chain, an iptables OUTPUT rule)"),
         N_("a security product on this machine (antivirus, company endpoint agent) blocks the "
            "connection"),
         NULL},
        {N_("Find the rule (the evidence names it when netprobe ran as root): sudo ufw status "
            "verbose, sudo nft list ruleset (chains with hook output), sudo iptables -S OUTPUT"),
         N_("With ufw: sudo ufw allow out {port}/tcp"),
         N_("With nftables: sudo nft -a list ruleset shows each rule's handle; remove the rule "
            "with sudo nft delete rule FAMILY TABLE CHAIN handle N, or insert an accept rule for "
            "tcp dport {port} before it"),
         N_("With iptables: sudo iptables -S OUTPUT, then sudo iptables -D OUTPUT followed by the "
            "rule as printed, or sudo iptables -I OUTPUT -p tcp --dport {port} -j ACCEPT"),
         N_("No such rule: turn off the security product's firewall for one test, then probe "
            "again"),
         NULL},
        DOC("local_firewall"),
        .cause_kinds = {HERE, HERE},
        .fix_kinds = {HERE, HERE, HERE, HERE, HERE},
    },
    {
        "chatd_error",
        ADVICE_VERDICT,
        N_("chatd answered on port {port} and closed the connection, saying why (see the "
           "evidence): the network works."),
        {N_("chatd is full: --max-clients connections are open, so it answers ERR server_full and "
            "closes"),
         N_("chatd is shutting down (NOTICE shutdown): it was stopped or restarted"),
         N_("chatd refused this connection for the reason it gave: ERR too_many_connections when "
            "your address already holds --max-per-ip connections or opened them faster than "
            "--conn-rate (everyone behind one NAT shares an address), ERR bad_hello when chatd "
            "and netprobe come from different releases"),
         NULL},
        {N_("Wait until someone leaves, or raise the limit on the server: restart chatd with "
            "--max-clients N (journalctl -u chatd shows who is connected)"),
         N_("Start chatd again on the server (sudo systemctl start chatd, or chatd --port {port}) "
            "and probe once it runs"),
         N_("For too_many_connections, close the other connections from your network, or wait "
            "a second and probe again; on the server, raise chatd's --max-per-ip and "
            "--conn-rate (a class behind one NAT shares one address); for bad_hello, netprobe "
            "--version and chatd --version must come from the same release"),
         NULL},
        DOC("chatd_error"),
        .cause_kinds = {CAUSE_CHATD_FULL, CAUSE_CHATD_SHUTDOWN, CAUSE_CHATD_OTHER},
        .fix_kinds = {CAUSE_CHATD_FULL, CAUSE_CHATD_SHUTDOWN, CAUSE_CHATD_OTHER},
    },

    /* ---- findings ---- */
    {
        "virtualbox_nat",
        ADVICE_FINDING,
        N_("This machine is a VirtualBox VM in NAT mode (address 10.0.2.x, gateway 10.0.2.2)."),
        {N_("the VM's network adapter is attached to NAT, VirtualBox's default: the VM can connect "
            "out through the host, but nothing outside can connect in to the VM"),
         NULL},
        {N_("As a client this is fine: connections out to chatd work through NAT"),
         N_("To run chatd inside the VM and reach it from outside, use a bridged adapter (the VM > "
            "Settings > Network > Adapter 1 > Attached to: Bridged Adapter) or a port forwarding "
            "rule (Adapter 1 > Advanced > Port Forwarding: TCP, host port {port}, guest port "
            "{port})"),
         N_("A security group rule for 'My IP' needs your network's public address, never "
            "10.0.2.15"),
         NULL},
        DOC("virtualbox_nat"),
        GENERAL_ONLY,
    },
    {
        "client_nat",
        ADVICE_FINDING,
        N_("The server saw the connection come from a different address than this machine's: there "
           "is NAT on your side."),
        {N_("your home router, the campus network, VirtualBox NAT or a mobile carrier (CGNAT, "
            "100.64.0.0/10) translates your address"),
         NULL},
        {N_("Nothing to fix for chat"),
         N_("A security group rule meant only for you must use the address the server saw (the "
            "peer address in the evidence, or the console's 'My IP'), not this machine's address"),
         N_("That address changes when you change networks: update the rule then"), NULL},
        DOC("client_nat"),
        GENERAL_ONLY,
    },
    {
        "cloud_nat",
        ADVICE_FINDING,
        N_("The server's own address differs from the one you dialled: it is behind 1:1 NAT, as "
           "every EC2 public IPv4 address is."),
        {N_("EC2 maps the public IPv4 address to the instance's private address (172.31.x.x in a "
            "default VPC); the instance never sees its public address on its interfaces"),
         NULL},
        {N_("Nothing to fix: run chatd on all addresses (no --bind, the default), never on the "
            "public address, which fails with bind_address_unavailable"),
         N_("Dial the public address from outside; the private address works only inside the VPC"),
         NULL},
        DOC("cloud_nat"),
        GENERAL_ONLY,
    },
    {
        "icmp_blocked",
        ADVICE_FINDING,
        N_("ping got no answer, but that alone says nothing about chat: EC2 blocks ICMP by "
           "default."),
        {N_("the security group has no inbound ICMP rule (the default), so echo requests are "
            "dropped even when TCP {port} is allowed"),
         N_("a firewall on the server or on the way blocks ICMP"), NULL},
        {N_("Nothing to fix for chat: judge the path by the TCP stage"),
         N_("To make ping work too (optional): EC2 > Instances > your instance > Security > "
            "Security groups > (the group) > Edit inbound rules > Add rule: Custom ICMP - IPv4, "
            "Echo Request, source My IP"),
         NULL},
        DOC("icmp_blocked"),
        GENERAL_ONLY,
    },
    {
        "ipv6_broken",
        ADVICE_FINDING,
        N_("The server's IPv6 addresses (AAAA) fail while its IPv4 addresses work."),
        {N_("the security group allows TCP {port} from 0.0.0.0/0 but not from ::/0 (IPv6 needs its "
            "own rule), or the instance has no IPv6 address at all"),
         N_("a firewall on the server drops or rejects IPv6 only (an ip6tables rule, or an nft "
            "inet or ip6 table rule): sudo netprobe --local {port} on the server shows it"),
         N_("chatd listens on IPv4 only (--bind 0.0.0.0): an IPv6 SYN then gets a reset"),
         N_("your network announces IPv6 but does not route it"), NULL},
        {N_("Use IPv4 for now: netprobe -4 {host} {port}, and connect to the IPv4 address"),
         N_("In the security group, add the same rule for IPv6: Custom TCP, port {port}, source "
            "::/0"),
         N_("On the server, run sudo netprobe --local {port}: it names an IPv6 firewall rule, or "
            "chatd listening on IPv4 only"),
         N_("Remove the AAAA record if the server is not meant to have IPv6"), NULL},
        DOC("ipv6_broken"),
        GENERAL_ONLY,
    },
    {
        "high_latency",
        ADVICE_FINDING,
        N_("Round trips to the server are slow: chat works, but it feels sluggish."),
        {N_("the server is in a distant region (for example us-east-2 seen from Europe or South "
            "America)"),
         N_("a busy Wi-Fi or mobile link, or a VPN that sends traffic the long way round"),
         N_("the server or this machine is overloaded"), NULL},
        {N_("Compare with a probe from another network"),
         N_("Disconnect the VPN if one is on, or move closer to the Wi-Fi access point"),
         N_("Choose an AWS region near your users for the next instance"), NULL},
        DOC("high_latency"),
        GENERAL_ONLY,
    },
    {
        "packet_loss",
        ADVICE_FINDING,
        N_("Some probes were lost on the way: chat works, but messages may arrive late."),
        {N_("a weak Wi-Fi or mobile signal"), N_("a congested link or an overloaded router"),
         N_("a rate limit on ICMP (then only the ping numbers suffer, not chat)"), NULL},
        {N_("Move closer to the access point or use a cable, then probe again"),
         N_("Compare from another network: if the loss disappears, the first network is the cause"),
         NULL},
        DOC("packet_loss"),
        GENERAL_ONLY,
    },
    {
        "forged_reset",
        ADVICE_FINDING,
        N_("A TCP reset arrived that the server did not send: something on the way forges resets."),
        {N_("a firewall or intrusion-prevention system on the way (campus, company, national "
            "filter) resets connections to port {port}"),
         N_("a security product on this machine resets the connection"), NULL},
        {N_("Capture on the server (sudo tcpdump -ni any port {port}): if the server sent no "
            "reset, it was forged on the way"),
         N_("Try from another network; if it works there, ask the first network's administrators"),
         N_("As a workaround, run chatd on a port the network lets through (for example 443) and "
            "open that port in the security group"),
         NULL},
        DOC("forged_reset"),
        GENERAL_ONLY,
    },
    {
        "private_target",
        ADVICE_FINDING,
        N_("The address you dialled is private: from outside its network it cannot be reached."),
        {N_("you dialled the instance's Private IPv4 address (172.31.x.x in a default VPC), which "
            "works only inside AWS"),
         NULL},
        {PRIVATE_FIX,
         N_("No public address shown: give the instance one (EC2 > Elastic IPs > Allocate Elastic "
            "IP address, then Actions > Associate), or launch it with 'Auto-assign public IP' "
            "enabled"),
         NULL},
        DOC("private_target"),
        GENERAL_ONLY,
    },
    {
        "ipv4_broken",
        ADVICE_FINDING,
        N_("The server's IPv4 addresses (A) fail while its IPv6 addresses work: clients without "
           "IPv6 cannot connect."),
        {N_("the security group allows TCP {port} from ::/0 but not from 0.0.0.0/0 (IPv4 needs "
            "its own rule)"),
         N_("a firewall on the server drops or rejects IPv4 only (an iptables rule, or an nft ip "
            "or inet table rule): sudo netprobe --local {port} on the server shows it"),
         N_("chatd listens on IPv6 only (--bind ::)"),
         N_("a firewall on the way blocks the port over IPv4 only"), NULL},
        {N_("In the security group, add the same rule for IPv4: Custom TCP, port {port}, source "
            "0.0.0.0/0 (or My IP)"),
         N_("Check from IPv4: netprobe -4 {host} {port} must end with ok"),
         N_("On the server, run sudo netprobe --local {port}"), NULL},
        DOC("ipv4_broken"),
        GENERAL_ONLY,
    },

    /* ---- netprobe --local (server side) verdicts ---- */
    {
        "local_ok",
        ADVICE_LOCAL_VERDICT,
        N_("chatd listens on port {port} on all addresses, and nothing on this server blocks it."),
        {N_("the server side is fine; if clients still cannot connect, the block is outside this "
            "machine (security group, network ACL, or the client's network)"),
         NULL},
        {N_("Check that the security group has the rule Custom TCP, port {port}: EC2 > Instances > "
            "your instance > Security > Security groups > (the group) > Edit inbound rules"),
         N_("Run netprobe HOST {port} from the client machine"), NULL},
        DOC("local_ok"),
        GENERAL_ONLY,
    },
    {
        "local_not_listening",
        ADVICE_LOCAL_VERDICT,
        N_("Nothing listens on TCP port {port} on this server."),
        {N_("chatd is not running: never started, exited, or crashed"),
         N_("chatd was started on another port"),
         N_("chatd could not start (the port was in use, or an option was wrong)"), NULL},
        {N_("Start it: chatd --port {port} (or sudo systemctl start chatd)"),
         N_("If it runs as a service, read why it stopped: journalctl -u chatd -n 50"),
         N_("Confirm with sudo ss -ltnp 'sport = :{port}': a LISTEN line with chatd"), NULL},
        DOC("local_not_listening"),
        GENERAL_ONLY,
    },
    {
        "bind_loopback",
        ADVICE_LOCAL_VERDICT,
        N_("chatd listens on port {port} only on loopback (127.0.0.1 or ::1): other machines "
           "cannot reach it."),
        {N_("chatd was started with --bind 127.0.0.1 (by hand or in the service file)"),
         N_("a setting meant for testing on one machine was used on the server"), NULL},
        {N_("Restart chatd without --bind, so it listens on every address: chatd --port {port}"),
         N_("For the service, fix ExecStart (sudo systemctl edit --full chatd), then sudo "
            "systemctl restart chatd"),
         N_("Confirm with sudo ss -ltnp 'sport = :{port}': it must show 0.0.0.0:{port}, "
            "[::]:{port} or *:{port}"),
         NULL},
        DOC("bind_loopback"),
        GENERAL_ONLY,
    },
    {
        "bind_specific",
        ADVICE_LOCAL_VERDICT,
        N_("chatd listens on port {port} on one address only: connections to this server's other "
           "addresses are refused."),
        {N_("chatd was started with --bind ADDRESS for one interface"),
         N_("on EC2 binding the private address still receives the public address's traffic, but "
            "connections through 127.0.0.1 or any other interface are refused"),
         NULL},
        {N_("Unless you need it, restart chatd without --bind (every address): chatd --port "
            "{port}"),
         N_("Confirm with sudo ss -ltnp 'sport = :{port}'"), NULL},
        DOC("bind_specific"),
        GENERAL_ONLY,
    },
    {
        "host_firewall_blocks",
        ADVICE_LOCAL_VERDICT,
        N_("A firewall on this server blocks incoming TCP port {port}."),
        {N_("ufw is active without a rule allowing {port}/tcp"),
         N_("an iptables or nftables rule drops or rejects the port (left by an earlier exercise "
            "or a hardening script)"),
         N_("an ip6tables rule or an nft inet or ip6 rule drops the port for IPv6 only: IPv4 "
            "clients connect, IPv6 clients time out"),
         NULL},
        {N_("With ufw: sudo ufw allow {port}/tcp, then check sudo ufw status"),
         N_("With iptables: find the rule with sudo iptables -S; allow with sudo iptables -I INPUT "
            "-p tcp --dport {port} -j ACCEPT"),
         N_("With nftables: sudo nft list ruleset, then add an accept rule for tcp dport {port} in "
            "the input chain"),
         N_("For IPv6: sudo ip6tables -S, and in sudo nft list ruleset look for meta nfproto ipv6 "
            "or ip6 tables; remove the rule that drops {port}"),
         N_("The security group is a second, separate firewall in front of the instance: both must "
            "allow {port}"),
         NULL},
        DOC("host_firewall_blocks"),
        GENERAL_ONLY,
    },
    {
        "bind_address_unavailable",
        ADVICE_LOCAL_VERDICT,
        N_("chatd could not bind to the address it was given: that address is not on this "
           "machine."),
        {N_("chatd was given the instance's public IPv4 address: on EC2 that address is never on "
            "the instance's interfaces (1:1 NAT), so bind fails with 'Cannot assign requested "
            "address'"),
         N_("the address belonged to an earlier instance or network"), NULL},
        {N_("Run chatd without --bind instead (every address, IPv4 and IPv6): chatd --port {port}"),
         N_("List the addresses this machine can bind with ip a"), NULL},
        DOC("bind_address_unavailable"),
        GENERAL_ONLY,
    },
    {
        "bind_ipv4_only",
        ADVICE_LOCAL_VERDICT,
        N_("chatd listens on port {port} over IPv4 only, but this server has a global IPv6 "
           "address: clients that use it (the name's AAAA record) are refused."),
        {N_("chatd was started with --bind 0.0.0.0 (IPv4 only), by hand or in the service file"),
         N_("chatd could not open its IPv6 socket when it started (its first log lines say why)"),
         NULL},
        {N_("Restart chatd without --bind: it then listens on 0.0.0.0 and :: (IPv4 and IPv6): "
            "chatd --port {port}"),
         N_("Confirm with sudo ss -ltnp 'sport = :{port}': it must show [::]:{port} next to "
            "0.0.0.0:{port}"),
         N_("If the server is not meant to serve IPv6, remove the name's AAAA record instead"),
         NULL},
        DOC("bind_ipv4_only"),
        GENERAL_ONLY,
    },
};

#undef EDGE
#undef PATH
#undef HOST
#undef PROG
#undef NOT_CHATD
#undef HERE
#undef PRIV
#undef ANY
#undef GENERAL_ONLY

#define ADVICE_COUNT (sizeof ADVICE / sizeof ADVICE[0])

static size_t list_len(const char *const *list)
{
    size_t n = 0;
    while (n < ADVICE_LIST_MAX && list[n] != NULL)
        n++;
    return n;
}

/* The causes to show, in order (advice.h). */
static size_t order_causes(const struct advice *a, const struct verdict *v,
                           size_t idx[ADVICE_LIST_MAX])
{
    size_t n = list_len(a->causes), k = 0;
    size_t first = v->cause_named - 1; /* meaningful when named */
    bool named = v->cause_named > 0 && first < n && !verdict_rules_out(v, a->cause_kinds[first]);
    if (named)
        idx[k++] = first;
    /* Two passes: the lead's kind, then every other kind still possible. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            enum cause_kind c = a->cause_kinds[i];
            bool lead = v->lead != CAUSE_ANY && c == v->lead;
            bool fits = v->cause_mask == 0 || i >= 32 || (v->cause_mask >> i & 1u);
            if (lead == (pass == 0) && fits && !verdict_rules_out(v, c) && !(named && i == first))
                idx[k++] = i;
        }
    return k;
}

#define FIX_RULED_OUT (-3)

/* Where fix step i goes: the rank of the first cause shown of its kind;
 * the steps of the kind the evidence puts first before everything, then
 * the general steps at the head of the table; the other general steps
 * last.  FIX_RULED_OUT when its cause is ruled out. */
static int fix_rank(const struct advice *a, const struct verdict *v, size_t i, const size_t *causes,
                    size_t ncauses)
{
    enum cause_kind kind = a->fix_kinds[i];
    if (kind != CAUSE_ANY && kind == v->lead && !verdict_rules_out(v, kind))
        return -2;
    if (kind == CAUSE_ANY) {
        for (size_t j = 0; j < i; j++)
            if (a->fix_kinds[j] != CAUSE_ANY)
                return ADVICE_LIST_MAX;
        return -1;
    }
    if (verdict_rules_out(v, kind))
        return FIX_RULED_OUT;
    for (size_t r = 0; r < ncauses; r++)
        if (a->cause_kinds[causes[r]] == kind)
            return (int)r;
    return ADVICE_LIST_MAX; /* a kind no cause shown has: with the general steps */
}

/* The fix steps to show, in the order of the causes (advice.h). */
static size_t order_fix(const struct advice *a, const struct verdict *v,
                        size_t idx[ADVICE_LIST_MAX])
{
    size_t causes[ADVICE_LIST_MAX], nc = order_causes(a, v, causes);
    size_t n = list_len(a->fix), k = 0;
    int rank[ADVICE_LIST_MAX];
    for (size_t i = 0; i < n; i++) {
        int r = fix_rank(a, v, i, causes, nc);
        if (r == FIX_RULED_OUT)
            continue;
        /* Insertion sort, stable: equal ranks keep the table's order. */
        size_t at = k;
        while (at > 0 && rank[at - 1] > r) {
            idx[at] = idx[at - 1];
            rank[at] = rank[at - 1];
            at--;
        }
        idx[at] = i;
        rank[at] = r;
        k++;
    }
    return k;
}

size_t advice_order(const struct advice *a, const struct verdict *v, enum advice_list which,
                    size_t idx[ADVICE_LIST_MAX])
{
    const char *const *list = which == ADVICE_CAUSES ? a->causes : a->fix;
    size_t n = list_len(list), k = 0;
    if (v != NULL && a->kind == ADVICE_VERDICT)
        k = which == ADVICE_CAUSES ? order_causes(a, v, idx) : order_fix(a, v, idx);
    if (k > 0)
        return k;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    return n;
}

/* What VirtualBox's NAT hides, per code (advice.h).  Only a silent drop
 * needs one: the relay turns a REJECT's ICMP error into the same silence,
 * and only a view from beyond the relay tells the two apart. */
static const struct advice_note RELAY_NOTES[] = {
    {
        "filtered_drop",
        N_("a firewall that rejects (REJECT, an ICMP error) rather than drops, on the server or on "
           "the way: behind VirtualBox's NAT the error never reaches the VM, so a REJECT looks "
           "exactly like a DROP from here"),
        N_("To tell a DROP from a REJECT, look from beyond VirtualBox's NAT: run sudo netprobe "
           "--watch {port} on the server while you probe again (SYNs that arrive but get no "
           "answer mean the server's own firewall; none arriving, the security group or the way), "
           "or run netprobe {host} {port} on the host or in a bridged VM"),
    },
};

const struct advice_note *advice_relay_note(const char *code)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof RELAY_NOTES / sizeof RELAY_NOTES[0]; i++)
        if (strcmp(RELAY_NOTES[i].code, code) == 0)
            return &RELAY_NOTES[i];
    return NULL;
}

const struct advice *advice_find(const char *code)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < ADVICE_COUNT; i++)
        if (strcmp(ADVICE[i].code, code) == 0)
            return &ADVICE[i];
    return NULL;
}

const struct advice *advice_all(size_t *count)
{
    *count = ADVICE_COUNT;
    return ADVICE;
}

const char *advice_doc(const struct advice *a, char *out, size_t cap)
{
    if (cap == 0)
        return "";
    if (strcmp(i18n_language(), "es") == 0)
        snprintf(out, cap, "docs/troubleshooting.es.md#%s", a->code);
    else
        snprintf(out, cap, "%s", a->doc);
    return out;
}

/* Appends value to out (n bytes used, cap in all), truncating. */
static size_t append(char *out, size_t n, size_t cap, const char *value)
{
    size_t take = strlen(value);
    if (take > cap - 1 - n)
        take = cap - 1 - n;
    memcpy(out + n, value, take);
    return n + take;
}

/* The words of {address} and {anywhere} for a set of families: one family
 * names its own; none or both keep the general word (both rules). */
static void family_words(unsigned families, const char **address, const char **anywhere)
{
    *address = _("address");
    *anywhere = "0.0.0.0/0";
    if (families == ADVICE_FAMILY_IPV4) {
        *address = _("IPv4 address");
    } else if (families == ADVICE_FAMILY_IPV6) {
        *address = _("IPv6 address");
        *anywhere = "::/0";
    } else if (families == (ADVICE_FAMILY_IPV4 | ADVICE_FAMILY_IPV6)) {
        *anywhere = _("0.0.0.0/0 and ::/0");
    }
}

void advice_render_family(const char *text, const char *host, int port, unsigned families,
                          char *out, size_t cap)
{
    char num[16];
    const char *address, *anywhere;
    size_t n = 0;

    if (cap == 0)
        return;
    /* gettext("") would return the catalogue's header, not "". */
    if (text[0] != '\0')
        text = _(text);
    snprintf(num, sizeof num, "%d", port);
    if (host == NULL || host[0] == '\0')
        host = "HOST";
    family_words(families, &address, &anywhere);
    const struct {
        const char *key, *value;
    } keys[] = {
        {"{port}", num}, {"{host}", host}, {"{address}", address}, {"{anywhere}", anywhere}};
    while (*text != '\0' && n + 1 < cap) {
        size_t k = 0;
        while (k < sizeof keys / sizeof keys[0] && strncmp(text, keys[k].key, strlen(keys[k].key)))
            k++;
        if (k < sizeof keys / sizeof keys[0]) {
            n = append(out, n, cap, keys[k].value);
            text += strlen(keys[k].key);
        } else {
            out[n++] = *text++;
        }
    }
    out[n] = '\0';
}

void advice_render_target(const char *text, const char *host, int port, char *out, size_t cap)
{
    advice_render_family(text, host, port, 0, out, cap);
}

void advice_render(const char *text, int port, char *out, size_t cap)
{
    advice_render_target(text, NULL, port, out, cap);
}

/* The findings that describe the setup rather than a fault.  virtualbox_nat
 * is one because netprobe runs as a client: connections out work through
 * NAT (its advice covers running chatd in the VM for those who do). */
static const char *const CONTEXT_CODES[] = {"virtualbox_nat", "client_nat", "cloud_nat"};

bool advice_is_context(const char *code)
{
    for (size_t i = 0; code != NULL && i < sizeof CONTEXT_CODES / sizeof CONTEXT_CODES[0]; i++)
        if (strcmp(code, CONTEXT_CODES[i]) == 0)
            return true;
    return false;
}
