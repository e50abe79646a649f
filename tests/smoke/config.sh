#!/usr/bin/env bash
# The config file: $XDG_CONFIG_HOME/pdl/pdlrc, else ~/.config/pdl/pdlrc, or
# -K/--config FILE; long options one a line ("name = value" or "--name
# value"); the command line wins; -q as the first argument skips it; a bad
# line is reported with its place and nothing is downloaded.
. "$(dirname "$0")/lib.sh"
start_server
cd "$WORK"

printf '%s/echo-headers\n  out=e.txt\n' "$BASE" >list.txt
mkdir -p xdg/pdl home/.config/pdl
cat >xdg/pdl/pdlrc <<'RC'
# defaults of mine
workers = 3
--header X-Conf: yes
output=from-config
no-timeline
user-agent = "quoted agent"
RC
echo 'output = from-home' >home/.config/pdl/pdlrc

XDG_CONFIG_HOME=$WORK/xdg HOME=$WORK/home "$PDL" --quiet list.txt || fail "run with pdlrc"
expect_grep from-config/e.txt "X-Conf: yes" "pdlrc --header"
expect_grep from-config/e.txt "User-Agent: quoted agent" "pdlrc quoted value"
[ ! -e pdl-timeline.tsv ] || fail "pdlrc no-timeline not applied"

# The command line wins.
rm -rf from-config
XDG_CONFIG_HOME=$WORK/xdg HOME=$WORK/home "$PDL" --quiet -o cli list.txt || fail "run with -o"
[ -f cli/e.txt ] && [ ! -e from-config ] || fail "the command line did not win"

# Without XDG_CONFIG_HOME: ~/.config/pdl/pdlrc.
env -u XDG_CONFIG_HOME HOME="$WORK/home" "$PDL" --quiet --no-timeline list.txt || fail "run with ~/.config"
[ -f from-home/e.txt ] || fail "~/.config/pdl/pdlrc not read"

# -q first: no config file.
rm -rf from-config cli
XDG_CONFIG_HOME=$WORK/xdg "$PDL" -q -o plain --no-timeline list.txt || fail "run with -q first"
! grep -q X-Conf plain/e.txt || fail "-q first still read the config file"

# -K FILE (and --config=FILE) instead of the default.
printf 'header = X-Named: 1\nno-timeline\n' >named.rc
XDG_CONFIG_HOME=$WORK/xdg "$PDL" --quiet -K named.rc -o named list.txt || fail "run with -K"
expect_grep named/e.txt "X-Named: 1" "-K FILE"
! grep -q X-Conf named/e.txt || fail "-K also read the default file"
"$PDL" --quiet --config=named.rc -o named2 list.txt || fail "run with --config="
expect_grep named2/e.txt "X-Named: 1" "--config=FILE"

# Errors: the file and line, exit 2, nothing downloaded.
check() {
    local want=$1
    shift
    rm -rf none
    set +e
    "$PDL" -o none "$@" list.txt 2>err >/dev/null
    local rc=$?
    set -e
    expect_eq "$rc" 2 "pdl $*: exit status"
    expect_grep err "$want" "pdl $*"
    [ ! -e none ] || fail "pdl $*: something was downloaded"
}
printf 'workers = 2\nbogus = 1\n' >bad.rc
check 'pdl: bad.rc:2: unknown option: "bogus = 1"' -K bad.rc
printf 'discard = yes\n' >bad.rc
check 'pdl: bad.rc:1: takes no value: "discard = yes"' -K bad.rc
printf 'workers\n' >bad.rc
check 'pdl: bad.rc:1: needs a value: "workers"' -K bad.rc
printf 'config = other\n' >bad.rc
check 'pdl: bad.rc:1: --config cannot be given in a config file' -K bad.rc
printf 'workers = 0\n' >bad.rc
check 'pdl: --workers: must be a whole number from 1 to 1024: "0"' -K bad.rc
check 'pdl: --config: No such file or directory: "nope.rc"' -K nope.rc
# A default path too long for the buffer is refused, never read cut short.
long=$(printf '/x%.0s' $(seq 3000))
XDG_CONFIG_HOME=$long check 'pdl: config file $XDG_CONFIG_HOME/pdl/pdlrc or ~/.config/pdl/pdlrc: path too long'
echo "config: ok"
