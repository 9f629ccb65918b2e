#!/bin/bash
# watch: the current state of every reader first, then events. A second simulated card that this
# test starts in vpcd's other slot (port + 1) and stops again gives a card-present event with its
# serial and a card-absent event. Needs the fixed vpcd port of with-card's network namespace; the
# event part is skipped without it.
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

if [ "${OPGP_WITH_CARD_NETNS:-0}" != 1 ]; then
    echo "PASS (insert/remove events skipped: no private network namespace)"
    exit 0
fi
sim=${OPGP_SIM:-$OPGP_BUILD_DIR/tests/sim/opgp-sim}
events=$OPGP_TEST_TMP/events
"$TOOL" --json watch --count 4 --timeout 30 > "$events" &
watch_pid=$!
wait_lines() { for _ in $(seq 100); do [ "$(wc -l < "$events")" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }
wait_lines 2 || fail "no initial events"
"$sim" --port 35964 --alg p256 --serial 0A0B0C0D > "$OPGP_TEST_TMP/sim2.log" 2>&1 &
sim_pid=$!
wait_lines 3 || { kill "$sim_pid" "$watch_pid"; fail "no card-present event"; }
kill -TERM "$sim_pid"; wait "$sim_pid" 2>/dev/null
wait "$watch_pid" || fail "watch exit $?"
cat "$events"
python3 - "$events" "${OPGP_TEST_READER% 00} 01" <<'PY' || fail "events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 4, ev
assert ev[2]["event"] == "card-present" and ev[2]["reader"] == sys.argv[2], ev[2]
assert ev[2]["openpgp"] is True and ev[2]["serial"] == "0A0B0C0D", ev[2]
assert ev[3]["event"] == "card-absent" and ev[3]["reader"] == sys.argv[2], ev[3]
PY
echo PASS
