#!/bin/bash
# watch: the current state of every reader first, then events; --count and --timeout end it. A
# second simulated card that this test starts in vpcd's other slot (port + 1) and stops again gives
# a card-present event with its serial and a card-absent event. That part needs the fixed vpcd
# port of with-card's network namespace and is skipped without it.
. "$(dirname "$0")/common.inc"
need_card rsa2048
out=$("$TOOL" watch --count 2) || fail "watch --count 2"
echo "$out"
grep -q " $OPGP_TEST_READER: OpenPGP card $(cat "$OPGP_TEST_PUBKEYS/serial") (test card)\$" <<<"$out" ||
    fail "initial card line"
grep -q " ${OPGP_TEST_READER% 00} 01: no card\$" <<<"$out" || fail "initial empty reader"
start=$(date +%s)
lines=$("$TOOL" --json watch --timeout 1) || fail "watch --timeout"
[ $(( $(date +%s) - start )) -le 3 ] || fail "--timeout did not stop watch"
[ "$(wc -l <<<"$lines")" = 2 ] || fail "expected 2 initial events: $lines"
while read -r l; do python3 -m json.tool <<<"$l" >/dev/null || fail "not JSON: $l"; done <<<"$lines"

# Events in vpcd's second slot only (--reader): the first card stays untouched, as a card left
# idle for a second is not reachable again through with-card's pcscd/vpcd (reported).
if [ "${OPGP_WITH_CARD_NETNS:-0}" != 1 ]; then
    echo "insert/remove events skipped: no private network namespace"
else
    sim=${OPGP_SIM:-$OPGP_BUILD_DIR/tests/sim/opgp-sim}
    events=$OPGP_TEST_TMP/events
    second="${OPGP_TEST_READER% 00} 01"
    "$TOOL" --json --reader "$second" watch --count 3 --timeout 30 \
        > "$events" 2>"$OPGP_TEST_TMP/watch.err" &
    watch_pid=$!
    wait_lines() {
        for _ in $(seq 100); do
            [ "$(wc -l < "$events")" -ge "$1" ] && return 0
            sleep 0.1
        done
        return 1
    }
    wait_lines 1 || fail "no initial event: $(cat "$events" "$OPGP_TEST_TMP/watch.err")"
    "$sim" --port 35964 --alg p256 --serial 0A0B0C0D > "$OPGP_TEST_TMP/sim2.log" 2>&1 &
    sim_pid=$!
    wait_lines 2 || { kill "$sim_pid" "$watch_pid"; fail "no card-present event"; }
    kill -TERM "$sim_pid"; wait "$sim_pid" 2>/dev/null
    wait "$watch_pid" || fail "watch exit $?"
    cat "$events"
    python3 - "$events" "$second" <<'PY' || fail "events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 3 and all(e["reader"] == sys.argv[2] for e in ev), ev
assert ev[0]["event"] == "card-absent", ev[0]
assert ev[1]["event"] == "card-present", ev[1]
assert ev[1]["openpgp"] is True and ev[1]["serial"] == "0A0B0C0D", ev[1]
assert ev[2]["event"] == "card-absent", ev[2]
PY
fi
echo PASS
