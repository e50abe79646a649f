#!/usr/bin/env bash
# Packaging: `cmake --install` to a temporary prefix gives binaries, man pages
# and the gnuplot scripts, and the installed pdl draws a chart and runs
# `pdl demo` (into the default ./pdl-demo) with the installed scripts;
# `cpack -G DEB` makes a package whose binaries run.
. "$(dirname "$0")/lib.sh"
build=$(cd "$(dirname "$PDL")" && pwd)
[ -f "$build/cmake_install.cmake" ] || skip "$PDL is not in a CMake build folder"
start_server

cmake --install "$build" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 ||
    fail "cmake --install: $(tail -5 "$WORK/install.log")"
for f in bin/pdl bin/pdl-testd share/man/man1/pdl.1 share/man/man1/pdl-testd.1 \
    share/pdl/plots/gantt.gp share/pdl/plots/lanes.gp share/pdl/plots/common.gp \
    share/pdl/plots/compare.gp share/pdl/urls/demo.txt \
    share/bash-completion/completions/pdl share/zsh/vendor-completions/_pdl \
    share/fish/vendor_completions.d/pdl.fish; do
    [ -s "$WORK/prefix/$f" ] || fail "not installed: $f"
done
if [ -x "$build/pdl-mpi" ]; then
    [ -x "$WORK/prefix/bin/pdl-mpi" ] || fail "not installed: bin/pdl-mpi (the mpi mode)"
fi
"$WORK/prefix/bin/pdl" --version | grep -q '^pdl ' || fail "installed pdl --version"

# The installed binary must use the installed scripts: mark them.
echo 'print "pdl-installed-scripts"' >>"$WORK/prefix/share/pdl/plots/gantt.gp"
if command -v gnuplot >/dev/null; then
    printf '%s\n' "$BASE/delay/20" "$BASE/bytes/10" >"$WORK/list.txt"
    (unset PDL_PLOTS_DIR; "$WORK/prefix/bin/pdl" -w 2 --discard -t "$WORK/t.tsv" \
        --chart "$WORK/c.png" "$WORK/list.txt" 2>"$WORK/err") || fail "installed run: $(cat "$WORK/err")"
    expect_grep "$WORK/err" "pdl-installed-scripts" "chart from the installed scripts"
    [ "$(head -c 4 "$WORK/c.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "no PNG from the installed pdl"

    # The demo from the installed files alone: its own server, list and
    # scripts (the marked gantt.gp speaks in every run's log).
    (unset PDL_PLOTS_DIR; cd "$WORK" && "$WORK/prefix/bin/pdl" demo >"$WORK/demo.out" 2>&1) ||
        fail "installed pdl demo: $(tail -20 "$WORK/demo.out")"
    for m in serial threads processes async; do
        expect_grep "$WORK/pdl-demo/$m.log" "pdl-installed-scripts" "installed demo's $m chart"
        [ "$(head -c 4 "$WORK/pdl-demo/$m.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
            fail "no $m.png from the installed demo"
        grep -q '</svg>' "$WORK/pdl-demo/$m.svg" || fail "no $m.svg from the installed demo"
    done
    for f in compare.png compare.svg predict.png predict.svg index.html; do
        [ -s "$WORK/pdl-demo/$f" ] || fail "the installed demo made no $f"
    done
fi

if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
    (cd "$WORK" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) ||
        fail "cpack: $(tail -5 "$WORK/cpack.log")"
    deb=$(ls "$WORK"/pkg/*.deb | head -1)
    [ -n "$deb" ] || fail "no .deb made"
    dpkg-deb -f "$deb" Depends | grep -q libcurl || fail "package does not depend on libcurl: $(dpkg-deb -f "$deb" Depends)"
    dpkg-deb -x "$deb" "$WORK/root"
    "$WORK/root/usr/bin/pdl" --version | grep -q '^pdl ' || fail "packaged pdl does not run"
    if [ -x "$build/pdl-mpi" ]; then
        [ -x "$WORK/root/usr/bin/pdl-mpi" ] || fail "package lacks pdl-mpi (the mpi mode)"
    fi
    [ -s "$WORK/root/usr/share/pdl/plots/gantt.gp" ] || fail "package lacks the gnuplot scripts"
    [ -s "$WORK/root/usr/share/man/man1/pdl.1" ] || fail "package lacks the man page"
    [ -s "$WORK/root/usr/share/bash-completion/completions/pdl" ] || fail "package lacks the bash completion"
fi
echo "install: ok"
