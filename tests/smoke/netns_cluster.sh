# A small cluster in network namespaces, for the mpi mode across "hosts":
# nodes n1..nN and an origin (pdl-testd) on one bridge, each with its own
# address in 10.123.0.0/24 (which exists only inside these namespaces), its
# own host name, its own output folder, and a delay on the wire: 20 ms out of
# the origin, 5 ms out of each node (so 25 ms round trips to the origin,
# 10 ms between nodes). mpirun runs in the bridge's namespace ("head") and
# starts one orted per node through an rsh agent, as it would over ssh.
# Sourced by tests/smoke/mpi_netns.sh and tests/bench/mpi_netns.sh, which
# provide WORK, PDL, PDL_TESTD, fail() and skip(). Needs root, ip, iptables,
# unshare, and Open MPI's mpirun.
#
# Names are unique per run (the pid), so parallel runs do not meet; nothing
# leaves these namespaces. cluster_down removes every namespace, process and
# file this made, and is safe to call twice.

CLUSTER_NET=10.123.0
CLUSTER_PREFIX=pdl$$
CLUSTER_NODES=0
CLUSTER_PIDS=()
CLUSTER_DELAY=none
CLUSTER_DELAY_ORIGIN_MS=${CLUSTER_DELAY_ORIGIN_MS:-20}
CLUSTER_DELAY_NODE_MS=${CLUSTER_DELAY_NODE_MS:-5}
CLUSTER_OUT=$WORK/out # every node's -o: a per-node folder mounted here
MPIRUN=${PDL_MPIEXEC:-$(command -v mpirun || true)}
IPTABLES=$(command -v iptables-legacy || command -v iptables || true)

cluster_ns() { echo "$CLUSTER_PREFIX-$1"; }

# Exits 77 (skip) unless this can build a cluster here.
cluster_require() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
    command -v ip >/dev/null || skip "ip (iproute2) not found"
    command -v unshare >/dev/null || skip "unshare not found"
    [ -n "$MPIRUN" ] && command -v "$MPIRUN" >/dev/null || skip "mpirun not found"
    # The real path: Open MPI takes its prefix from it (/bin/mpirun on a
    # merged /usr would give "/").
    MPIRUN=$(readlink -f "$(command -v "$MPIRUN")")
    "$MPIRUN" --version 2>&1 | grep -qiE "open mpi|openrte" ||
        skip "the rsh agent set-up here is Open MPI's; $MPIRUN is another MPI"
    [ -n "$IPTABLES" ] || skip "iptables not found (it forwards to pdl-testd)"
    if ! "$PDL" --mode mpi --version >/dev/null 2>"$WORK/built.err"; then
        grep -q "built without MPI" "$WORK/built.err" || fail "pdl --mode mpi: $(cat "$WORK/built.err")"
        skip "pdl was built without MPI"
    fi
    ip netns add "$(cluster_ns probe)" 2>"$WORK/netns.err" ||
        skip "cannot create a network namespace: $(cat "$WORK/netns.err")"
    CLUSTER_NODES=-1 # from here on, cluster_down has something to remove
    # Which delay: sch_netem if the kernel has it, else pdl-netdelay on an
    # NFQUEUE, else none (and the callers skip what needs one).
    if tc -n "$(cluster_ns probe)" qdisc add dev lo root netem delay 1ms 2>/dev/null; then
        CLUSTER_DELAY=netem
    elif [ -x "${PDL_NETDELAY:-}" ] &&
        ip netns exec "$(cluster_ns probe)" "$IPTABLES" -A OUTPUT -o lo \
            -j NFQUEUE --queue-num 0 --queue-bypass 2>/dev/null; then
        CLUSTER_DELAY=nfqueue
    fi
    ip netns del "$(cluster_ns probe)"
}

# Runs "$@" in the background inside namespace $1 and remembers its pid
# (ip netns exec execs the command, so $! is the command itself).
cluster_spawn() {
    local ns=$1 log=$2
    shift 2
    ip netns exec "$(cluster_ns "$ns")" "$@" >"$log" 2>&1 &
    CLUSTER_PIDS+=($!)
}

# Waits (at most 5 s) until file $1 holds the line $2; $3 names the process.
cluster_wait_line() {
    for _ in $(seq 100); do
        grep -qx "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "$3 did not start: $(cat "$1")"
}

# Adds the delay of $2 ms to what namespace $1 sends out of eth0.
cluster_delay() {
    local ns=$1 ms=$2
    case $CLUSTER_DELAY in
    netem)
        tc -n "$(cluster_ns "$ns")" qdisc add dev eth0 root netem delay "${ms}ms"
        ;;
    nfqueue)
        ip netns exec "$(cluster_ns "$ns")" "$IPTABLES" -A OUTPUT -o eth0 \
            -j NFQUEUE --queue-num 0 --queue-bypass
        cluster_spawn "$ns" "$WORK/cluster/delay-$ns.log" "$PDL_NETDELAY" "0:$ms"
        cluster_wait_line "$WORK/cluster/delay-$ns.log" ready "pdl-netdelay in $ns"
        ;;
    esac
}

# One namespace on the bridge: $1 its name, $2 its address's last byte.
cluster_attach() {
    local name=$1 byte=$2 ns
    ns=$(cluster_ns "$name")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$(cluster_ns head)" link add "v-$name" type veth peer name eth0 netns "$ns"
    ip -n "$(cluster_ns head)" link set "v-$name" master br0 up
    ip -n "$ns" addr add "$CLUSTER_NET.$byte/24" dev eth0
    ip -n "$ns" link set eth0 up
}

# Builds the cluster of $1 nodes; sets ORIGIN (the origin's base URL).
cluster_up() {
    local n=$1 i port head
    CLUSTER_NODES=$n
    mkdir -p "$WORK/cluster" "$CLUSTER_OUT"
    head=$(cluster_ns head)
    ip netns add "$head"
    ip -n "$head" link set lo up
    ip -n "$head" link add br0 type bridge
    ip -n "$head" addr add "$CLUSTER_NET.254/24" dev br0
    ip -n "$head" link set br0 up
    cluster_attach origin 100
    for i in $(seq "$n"); do
        cluster_attach "n$i" "$i"
        mkdir -p "$WORK/disk/n$i"
    done
    # Names resolve alike in every namespace: ip netns exec mounts
    # /etc/netns/NS/hosts over /etc/hosts.
    {
        echo "127.0.0.1 localhost"
        echo "$CLUSTER_NET.254 head"
        echo "$CLUSTER_NET.100 origin"
        for i in $(seq "$n"); do echo "$CLUSTER_NET.$i n$i"; done
    } >"$WORK/cluster/hosts"
    for name in head origin $(seq -f 'n%g' "$n"); do
        mkdir -p "/etc/netns/$(cluster_ns "$name")"
        cp "$WORK/cluster/hosts" "/etc/netns/$(cluster_ns "$name")/hosts"
    done
    cluster_delay origin "$CLUSTER_DELAY_ORIGIN_MS"
    for i in $(seq "$n"); do cluster_delay "n$i" "$CLUSTER_DELAY_NODE_MS"; done

    # pdl-testd listens on 127.0.0.1 only: the origin forwards its own
    # address's port there (route_localnet lets a DNAT reach loopback).
    cluster_spawn origin "$WORK/cluster/testd.log" \
        "$PDL_TESTD" --port 0 --port-file "$WORK/cluster/port"
    for _ in $(seq 100); do
        [ -s "$WORK/cluster/port" ] && break
        sleep 0.05
    done
    [ -s "$WORK/cluster/port" ] || fail "pdl-testd did not start: $(cat "$WORK/cluster/testd.log")"
    port=$(cat "$WORK/cluster/port")
    ip netns exec "$(cluster_ns origin)" sysctl -qw net.ipv4.conf.all.route_localnet=1 \
        net.ipv4.conf.eth0.route_localnet=1
    ip netns exec "$(cluster_ns origin)" "$IPTABLES" -t nat -A PREROUTING -i eth0 -p tcp \
        -d "$CLUSTER_NET.100" --dport "$port" -j DNAT --to-destination "127.0.0.1:$port"
    ORIGIN="http://$CLUSTER_NET.100:$port"

    # mpirun's rsh agent: "NODE COMMAND..." runs COMMAND (a shell line, as
    # ssh passes it on) in NODE's namespace, under NODE's host name, with
    # NODE's own disk mounted on the output folder.
    cat >"$WORK/cluster/agent.sh" <<EOF
#!/bin/sh
node=\$1
shift
exec ip netns exec "$CLUSTER_PREFIX-\$node" unshare --uts --mount sh -c \\
    'hostname "\$1" && mount --bind "\$2" "\$3" && exec sh -c "\$4"' \\
    agent "\$node" "$WORK/disk/\$node" "$CLUSTER_OUT" "\$*"
EOF
    chmod +x "$WORK/cluster/agent.sh"
    for i in $(seq "$n"); do echo "n$i slots=64"; done >"$WORK/cluster/hostfile"
}

# mpirun from the head, one rank per node in turn, over the cluster's
# addresses only; "$@" is the rest of its command line (-n, the program...).
# CLUSTER_HOSTFILE names other nodes than all of them; mpirun gets SIGTERM
# after CLUSTER_TIMEOUT seconds (60), and SIGKILL 5 s later.
cluster_mpirun() {
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        timeout -k 5 "${CLUSTER_TIMEOUT:-60}" ip netns exec "$(cluster_ns head)" unshare --uts sh -c 'hostname head && exec "$@"' \
        mpirun "$MPIRUN" --hostfile "${CLUSTER_HOSTFILE:-$WORK/cluster/hostfile}" \
        --map-by node --mca plm_rsh_agent "$WORK/cluster/agent.sh" \
        --mca btl tcp,self \
        --mca oob_tcp_if_include "$CLUSTER_NET.0/24" \
        --mca btl_tcp_if_include "$CLUSTER_NET.0/24" \
        "$@"
}

# Ends the mpirun that runs in the head (TERM, then KILL 3 s later): it can
# wait forever for a daemon on a node that was cut off.
cluster_end_mpirun() {
    local pid pids=()
    for pid in $(ip netns pids "$(cluster_ns head)"); do
        case $(cat "/proc/$pid/comm" 2>/dev/null) in
        mpirun | mpiexec | orterun | "$(basename "$MPIRUN")") pids+=("$pid") ;;
        esac
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 30); do
        kill -0 "${pids[@]}" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Every process left in the cluster's namespaces (orted and ranks a failed
# run left behind, the delays, pdl-testd), then the namespaces and files.
cluster_down() {
    local name ns pid
    [ "$CLUSTER_NODES" != 0 ] || return 0
    for pid in "${CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for name in head origin probe $(seq -f 'n%g' "$((CLUSTER_NODES > 0 ? CLUSTER_NODES : 0))"); do
        ns=$(cluster_ns "$name")
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
        rm -rf "/etc/netns/$ns"
    done
    for pid in "${CLUSTER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    CLUSTER_PIDS=()
    CLUSTER_NODES=0
}
