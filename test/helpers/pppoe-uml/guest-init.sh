#!/bin/sh
# PID 1 of the User-Mode-Linux guest used by test/helpers/pppoe-uml.ts.
#
# The guest's root is the host's / through hostfs, read-only; the lab directory ($LAB, from the
# kernel command line) is mounted writable at the same path, and holds the pppd options, the
# radiusclient files and the logs. The guest plays both ends of a PPPoE link:
#
#   vec0 (tap to the host, where Wavu's RADIUS listens)
#   pppoe-server on eth-s ==veth== netns "cli": pppd with the rp-pppoe plugin on eth-c
#
# It is driven over its console: the host writes one command a line, the guest answers with lines
# starting "@@wavu " (anything else on the console is kernel or program noise). Every wait here is
# bounded, so a broken peer ends in an answer the host can show, never in a hang.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mkdir -p /run/lock /run/netns
mount -t hostfs none "$LAB" -o "$LAB"
stty -echo 2>/dev/null

say() { echo "@@wavu $*"; }

# This kernel build has PPP as modules; Debian ships them beside the UML binary.
M=/usr/lib/uml/modules/$(uname -r)/kernel
for m in lib/crc-ccitt drivers/net/slip/slhc drivers/net/ppp/ppp_generic drivers/net/ppp/ppp_async \
  drivers/net/ppp/pppox drivers/net/ppp/pppoe drivers/net/veth; do
  insmod "$M/$m.ko" 2>>"$LAB/guest.log" || say "error insmod $m"
done
[ -e /dev/ppp ] || mknod /dev/ppp c 108 0

ip link set lo up
# radius.so takes NAS-IP-Address from the address the host name resolves to.
hostname wavu-nas
mount --bind "$LAB/hosts" /etc/hosts
ip addr add "$GUEST_IP/24" dev vec0
ip link set vec0 up
ip netns add cli
ip link add eth-s type veth peer name eth-c netns cli
ip link set eth-s up
ip -n cli link set lo up
ip -n cli link set eth-c up

client_pid=
server_pid=

# Wait up to $1 tenths of a second for the command "$2..." to succeed.
wait_for() {
  n=$1
  shift
  while [ "$n" -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}
# Once the client is gone, any pppd left is the NAS side of the session.
no_session_pppd() { ! pgrep -x pppd >/dev/null; }
client_has_address() { ip -n cli -4 -o addr show dev ppp0 2>/dev/null | grep -q inet; }
client_gone() { ! kill -0 "$client_pid" 2>/dev/null; }
up_or_gone() { client_has_address || client_gone; }

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null
    wait_for 100 sh -c "! kill -0 $server_pid 2>/dev/null"
    server_pid=
  fi
}

# dial AUTH USER PASSWORD: (re)start pppoe-server asking for AUTH (pap, chap, mschap-v2), then
# dial in as USER; answers "up LOCAL PEER" followed by the attributes the NAS got from RADIUS,
# or "fail".
dial() {
  stop_server
  : >"$LAB/client-pppd.log"
  pppoe-server -I eth-s -C wavu-ac -L 10.99.0.1 -R 10.99.0.100 -N 8 \
    -O "$LAB/server-$1.options" -X /run/pppoe-server.pid
  wait_for 100 test -s /run/pppoe-server.pid || say "error pppoe-server did not start"
  server_pid=$(cat /run/pppoe-server.pid)
  ip netns exec cli pppd plugin rp-pppoe.so nic-eth-c user "$2" password "$3" noauth nodetach \
    noipdefault nodefaultroute noipv6 ip-up-script /bin/true ip-down-script /bin/true maxfail 1 lcp-echo-interval 5 lcp-echo-failure 6 \
    debug logfile "$LAB/client-pppd.log" </dev/null >/dev/null 2>&1 &
  client_pid=$!
  # RADIUS gets up to 3 tries of 10 s in radiusclient.conf; allow for all of them and slow boots.
  wait_for 900 up_or_gone
  if client_has_address; then
    a=$(ip -n cli -4 -o addr show dev ppp0 | sed -n 's/.* inet \([0-9.]*\) peer \([0-9.]*\).*/\1 \2/p')
    # radattr.so writes the reply's attributes when IPCP is up on the NAS side.
    wait_for 100 sh -c 'ls /run/radattr.ppp* >/dev/null 2>&1'
    for f in /run/radattr.ppp*; do
      [ -f "$f" ] && sed 's/^/@@wavu attr /' "$f"
    done
    say "up $a"
  else
    kill "$client_pid" 2>/dev/null
    wait "$client_pid" 2>/dev/null
    client_pid=
    say "fail"
  fi
}

# Traffic over the session, so accounting has octets to report.
traffic() {
  out=$(ip netns exec cli ping -q -c 5 -i 0.2 -s 1200 -W 5 10.99.0.1 2>&1)
  if [ $? -eq 0 ]; then
    say "traffic ok"
  else
    say "traffic fail $(echo "$out" | tr '\n' ' ')"
  fi
}

# The subscriber hangs up; answers once the NAS's pppd has exited (its Accounting-Stop is sent
# before it exits: radius.so waits for the answer or its retries).
hangup() {
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
  wait_for 600 client_gone
  wait "$client_pid" 2>/dev/null
  client_pid=
  if wait_for 900 no_session_pppd; then say "down"; else say "error session pppd still running"; fi
}

say "ready $(uname -r)"
while read -r cmd a1 a2 a3; do
  case "$cmd" in
  dial) dial "$a1" "$a2" "$a3" ;;
  traffic) traffic ;;
  hangup) hangup ;;
  poweroff) break ;;
  "") ;;
  *) say "error unknown command $cmd" ;;
  esac
done
[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
stop_server
sync
say "bye"
echo o >/proc/sysrq-trigger
# PID 1 must not exit before the power-off happens.
sleep 60
