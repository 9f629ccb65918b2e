#!/bin/bash
# `opgp-tool cert propagate` under Wine with a simulated card, checked by what an application
# sees in CurrentUser\MY (certprop-test.exe):
#   certprop_test.sh rsa2048  the card's certificates point at the CSP's containers with the right
#                             key specs and friendly names; CryptAcquireCertificatePrivateKey +
#                             CryptSignMessage make CMS signatures OpenSSL verifies; a second run
#                             duplicates nothing; a certificate replaced on the card replaces the
#                             propagated one; --remove (by reader, serial, all) takes out exactly
#                             ours: the user's own certificates, one of them a copy of a card
#                             certificate, stay
#   certprop_test.sh p256     EC keys point at the KSP (type 0, key spec 0)
#   certprop_test.sh nocard   no PC/SC service: exit 3, a sentence, MY untouched
#   certprop_test.sh watch    `opgp-tool watch --propagate --remove-on-removal` in the
#                             background (a P-256 card, the quickest to make: its certificates
#                             name the KSP): the card present at the start is propagated; pulled
#                             out (the simulator's control), its certificates leave MY; put back,
#                             they return; the user's own certificates stay throughout
#   certprop_test.sh linux    the native tool: Windows-only, exit 2 (cert propagate, watch
#                             --propagate)
set -u
. "$(dirname "$0")/../../../tests/wine/tests/common.inc"
CT=${OPGP_CERTPROP_TEST:-$WINE_BIN/certprop-test.exe}
TOOL=$MINGW/tools/opgp-tool.exe
CSP_DLL=$MINGW/bridge/csp/opgpcsp.dll
CSP='opgp OpenPGP CSP'
KSP='opgp OpenPGP KSP'
PIN=123456
ADMIN_PIN=12345678
mode=${1:-rsa2048}

if [ "$mode" = linux ]; then
    native=${OPGP_TOOL:-$BUILD/tools/opgp-tool}
    check_built "$native"
    for args in "cert propagate" "cert propagate --remove" "--json cert propagate" \
                "watch --propagate" "watch --propagate --remove-on-removal --count 1"; do
        # shellcheck disable=SC2086
        err=$("$native" $args 2>&1 >/dev/null); rc=$?
        echo "$args: exit $rc: $err"
        [ $rc = 2 ] || fail "$args: exit $rc, want 2"
        grep -q "Windows-only" <<<"$err" || fail "$args: no Windows-only sentence"
    done
    "$native" cert propagate --serial 12 >/dev/null 2>&1; rc=$?
    [ $rc = 1 ] || fail "--serial without --remove: exit $rc"
    "$native" watch --remove-on-removal >/dev/null 2>&1; rc=$?
    [ $rc = 1 ] || fail "--remove-on-removal without --propagate: exit $rc"
    echo PASS
    exit 0
fi

check_built "$CT" "$TOOL" "$CSP_DLL" "$MD_DLL"
if [ "$mode" != nocard ] && [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    alg=$mode
    [ "$mode" = watch ] && alg=p256 # the quickest card to make on a loaded machine
    exec "$WITH_CARD" --alg "$alg" "$0" "$@"
fi

ct_out=$(mktemp) || exit 1
trap 'rm -f "$ct_out"' EXIT
ct() { local rc; wine_to "$ct_out" "$CT" "$@"; rc=$?; tr -d '\r' < "$ct_out"; return "$rc"; }
tool() { "$RUN" "$TOOL" "$@" | tr -d '\r'; return "${PIPESTATUS[0]}"; }
# JSON on stdin; the python expression (j: the document) printed.
jq_py() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
sha1_of() { openssl x509 -inform "$2" -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }

if [ "$mode" = nocard ]; then
    before=$(ct show) || fail "certprop-test show"
    errfile=$(mktemp) || exit 1
    "$RUN" "$TOOL" cert propagate >/dev/null 2>"$errfile"; rc=$?
    err=$(tr -d '\r' < "$errfile"); rm -f "$errfile"
    echo "exit $rc: $err"
    [ "$rc" = 3 ] || fail "no PC/SC service: exit $rc, want 3"
    grep -q "cert propagate: .*reader" <<<"$err" || fail "no sentence about the readers"
    [ "$(ct show)" = "$before" ] || fail "MY changed"
    echo PASS
    exit 0
fi

# What opgpcsp.reg does, with the DLL where the build put it (the watcher only names the CSP).
key="HKLM\\SOFTWARE\\Microsoft\\Cryptography\\Defaults\\Provider\\$CSP"
if [ "$mode" != watch ]; then
    "$RUN" reg add "$key" /v "Image Path" /t REG_SZ /d "$(win_path "$CSP_DLL")" /f >/dev/null &&
    "$RUN" reg add "$key" /v Type /t REG_DWORD /d 1 /f >/dev/null &&
    "$RUN" reg add "$key" /v SigInFile /t REG_DWORD /d 0 /f >/dev/null || fail "reg add (CSP)"
fi
cd "$OPGP_TEST_TMP" || exit 1
register_card
R=$OPGP_TEST_READER

declare -A thumb
for slot in sig dec aut; do
    [ -f "$OPGP_TEST_PUBKEYS/$slot.crt" ] || fail "the simulated card has no $slot certificate"
    openssl x509 -in "$OPGP_TEST_PUBKEYS/$slot.crt" -outform DER -out "card-$slot.der"
    thumb[$slot]=$(sha1_of "card-$slot.der" DER)
done

if [ "$mode" = p256 ]; then
    json=$(tool --json cert propagate) || fail "cert propagate exit $?"
    echo "$json"
    S=$(jq_py 'j["certificates"][0]["serial"]' <<<"$json")
    [ "$(jq_py 'j["propagated"]' <<<"$json")" = 3 ] || fail "three certificates"
    for slot in sig dec aut; do
        line=$(ct show | grep "^Cert: ${thumb[$slot]} ") || fail "$slot certificate not in MY"
        echo "$line"
        grep -q " mark=opgp-certprop $S $slot prov=$KSP type=0 spec=0 container=opgp-$S-$slot name=.* $slot " \
            <<<"$line" || fail "$slot: KSP properties"
    done
    out=$(tool --reader "$R" cert propagate --remove) || fail "--remove exit $?"
    echo "$out"
    ct show | grep -q "mark=opgp-certprop $S " && fail "--remove left certificates of $S"
    echo PASS
    exit 0
fi

# The user's own certificates: one of their own, and a copy of the card's decryption certificate
# they imported themselves. Propagation must neither re-point nor remove them.
# (P-256: an RSA key takes seconds to make on a loaded machine, and this one only sits in MY.)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout user.key \
    -subj /CN=certprop-user-own -days 2 -outform DER -out user.der 2>/dev/null ||
    fail "openssl req (user certificate)"
user=$(ct add-user user.der | sed -n 's/^Added: //p')
[ "$user" = "$(sha1_of user.der DER)" ] || fail "add-user"
ct add-user card-dec.der >/dev/null || fail "add-user (dec copy)"
cleanup() { ct delete "$user" >/dev/null; ct delete "${thumb[dec]}" >/dev/null; rm -f "$ct_out"; }
trap cleanup EXIT

if [ "$mode" = watch ]; then
    # The simulator's control (tests/sim/vpcd.c --control): a line, taken when the file is gone.
    ctl() {
        local deadline=$(( $(now_ms) + 5000 ))
        printf '%s\n' "$1" > "$OPGP_SIM_CONTROL.new" && mv "$OPGP_SIM_CONTROL.new" "$OPGP_SIM_CONTROL"
        while [ -e "$OPGP_SIM_CONTROL" ]; do
            [ "$(now_ms)" -lt "$deadline" ] || fail "the simulated card did not take \"$1\""
            sleep 0.02
        done
    }
    # The watcher: until the third card event (present, absent, present again) has been acted on.
    wpid=
    start_watch() {
        "$RUN" "$TOOL" --json --reader "$R" watch --propagate --remove-on-removal --count 3 \
            --timeout 60 > watch.out 2> watch.err &
        wpid=$!
    }
    stop_watch() { [ -z "$wpid" ] || kill "$wpid" 2>/dev/null; }
    S=
    trap 'stop_watch; [ -z "$S" ] || tool cert propagate --remove --serial "$S" >/dev/null; cleanup' EXIT
    # What an earlier run that failed may have left: no propagated certificate before the start.
    tool cert propagate --remove >/dev/null || fail "cert propagate --remove (before the start)"
    # until_my WHAT CONDITION: poll certprop-test.exe show (MY as applications see it) until the
    # shell condition (on $show) holds; 8 s at most.
    until_my() {
        local what=$1 cond=$2 deadline=$(( $(now_ms) + 8000 ))
        while :; do
            show=$(ct show) || fail "certprop-test show"
            eval "$cond" && return 0
            # A watcher that ended before printing anything is a Wine start that failed
            # (tests/wine/README.md): started once more, as wine_to does for test programs.
            if [ -n "$wpid" ] && ! kill -0 "$wpid" 2>/dev/null && [ ! -s watch.out ] &&
               [ -z "${restarted:-}" ]; then
                echo "the watcher ended before printing anything: starting it once more" >&2
                restarted=1
                start_watch
            fi
            [ "$(now_ms)" -lt "$deadline" ] ||
                { echo "$show"; cat watch.out watch.err; fail "MY: $what (8 s)"; }
            sleep 0.1
        done
    }
    ours() { grep -c " mark=opgp-certprop [0-9A-F]* \(sig\|aut\) prov=$KSP " <<<"$show"; }
    users_untouched() {
        grep -q "^Cert: ${thumb[dec]} mark=- prov=- " <<<"$show" || fail "$1: the user's dec copy"
        grep -q "^Cert: $user mark=- prov=- " <<<"$show" || fail "$1: the user's certificate"
    }
    t0=$(now_ms)
    start_watch
    until_my "the card's sig and aut certificates after the start" '[ "$(ours)" = 2 ]'
    echo "$show"
    users_untouched "start"
    S=$(sed -n "s/^Cert: ${thumb[sig]} mark=opgp-certprop \([0-9A-F]*\) sig .*/\1/p" <<<"$show")
    [ -n "$S" ] || fail "no serial in the sig certificate's mark"
    for slot in sig aut; do
        grep -q "^Cert: ${thumb[$slot]} mark=opgp-certprop $S $slot prov=$KSP type=0 spec=0 container=opgp-$S-$slot " \
            <<<"$show" || fail "$slot: properties after the watcher's propagation"
    done
    echo "propagated at start: $(( $(now_ms) - t0 )) ms"

    ctl remove
    until_my "the card's certificates gone after its removal" '! grep -q " mark=opgp-certprop $S " <<<"$show"'
    users_untouched "removal"
    echo "taken out after removal: $(( $(now_ms) - t0 )) ms"

    ctl insert
    until_my "the card's certificates back after reinsertion" '[ "$(ours)" = 2 ]'
    users_untouched "reinsertion"
    for slot in sig aut; do
        grep -q "^Cert: ${thumb[$slot]} mark=opgp-certprop $S $slot prov=$KSP " <<<"$show" ||
            fail "$slot: not back after reinsertion"
    done
    echo "back after reinsertion: $(( $(now_ms) - t0 )) ms"

    # The watcher ends by itself after its third card event; 8 s at most.
    deadline=$(( $(now_ms) + 8000 ))
    while kill -0 "$wpid" 2>/dev/null; do
        [ "$(now_ms)" -lt "$deadline" ] || fail "the watcher did not end after --count 3"
        sleep 0.05
    done
    wait "$wpid"; rc=$?; wpid=
    tr -d '\r' < watch.out
    cat watch.err >&2
    [ "$rc" = 0 ] || fail "watch exit $rc"
    # One JSON line per card event and per propagation, in order (the tool's JSON writer puts
    # the fields in this order; python3 would cost a second on a loaded machine).
    propagated="\"serial\":\"$S\",\"added\":2,\"refreshed\":0,\"user_owned\":1,\"removed\":0}"
    at="\",\"reader\":\"$R\""
    want=("card-present$at,\"openpgp\":true,"
          "certificates-propagated$at,$propagated"
          "card-absent$at}"
          "certificates-removed$at,\"serial\":\"$S\",\"removed\":2}"
          "card-present$at,\"openpgp\":true,"
          "certificates-propagated$at,$propagated")
    mapfile -t lines < <(tr -d '\r' < watch.out)
    [ "${#lines[@]}" = 6 ] || fail "the watcher printed ${#lines[@]} lines, want 6"
    for i in 0 1 2 3 4 5; do
        [[ ${lines[$i]} == "{\"time\":\""*"\",\"event\":\"${want[$i]}"* ]] ||
            fail "watcher line $((i + 1)): ${lines[$i]}, want the event ${want[$i]}"
    done
    echo "total: $(( $(now_ms) - t0 )) ms"
    echo PASS
    exit 0
fi

out=$(tool cert propagate) || fail "cert propagate exit $?"
echo "$out"
[ "$(grep -c '^Certificate .*: added$' <<<"$out")" = 2 ] || fail "two certificates added"
[ "$(grep -c "^Certificate .*: kept (the user's own copy)$" <<<"$out")" = 1 ] || fail "one kept"
grep -q '^Propagated .*: 3 certificates$' <<<"$out" || fail "summary"
S=$(sed -n 's/^Card serial[ .]*: //p' <<<"$out" | head -1)
[ -n "$S" ] || fail "no card serial in the output"

show1=$(ct show) || fail "certprop-test show"
echo "$show1"
for pair in "sig 2" "aut 1"; do
    set -- $pair
    line=$(grep "^Cert: ${thumb[$1]} " <<<"$show1") || fail "$1 certificate not in MY"
    grep -q " mark=opgp-certprop $S $1 prov=$CSP type=1 spec=$2 container=opgp-$S-$1 name=[^ ].* $1 " \
        <<<"$line" || fail "$1: properties"
done
grep -q "^Cert: ${thumb[dec]} mark=- prov=- " <<<"$show1" || fail "the user's dec copy was touched"
grep -q "^Cert: $user mark=- prov=- " <<<"$show1" || fail "the user's certificate was touched"
[ "$(grep -c " mark=opgp-certprop $S " <<<"$show1")" = 2 ] || fail "two marked certificates"

# Again: the same store, nothing duplicated, reported as refreshed.
json=$(tool --json cert propagate) || fail "second cert propagate exit $?"
echo "$json"
[ "$(jq_py '",".join(sorted(c["action"] for c in j["certificates"]))' <<<"$json")" = \
  "refreshed,refreshed,user-owned" ] || fail "second run: actions"
[ "$(jq_py '[c for c in j["certificates"] if c["slot"]=="sig"][0]["key_spec"]' <<<"$json")" = 2 ] ||
    fail "JSON key_spec"
[ "$(jq_py '[c for c in j["certificates"] if c["slot"]=="aut"][0]["provider"]' <<<"$json")" = "$CSP" ] ||
    fail "JSON provider"
[ "$(ct show)" = "$show1" ] || fail "a second propagation changed MY"

# An application signs with the propagated certificates: crypt32 finds the CSP's container.
head -c 2000 /dev/urandom > msg
for pair in "sig AT_SIGNATURE" "aut AT_KEYEXCHANGE"; do
    set -- $pair
    o=$(ct sign "${thumb[$1]}" "$PIN" msg "msg-$1.p7") || { echo "$o"; fail "sign with $1"; }
    echo "$o"
    grep -q "^Key: $CSP / opgp-$S-$1 / $2$" <<<"$o" || fail "$1: the key's provider/container/spec"
    openssl cms -verify -noverify -inform DER -in "msg-$1.p7" -out "content-$1" \
        -signer "signer-$1.pem" || fail "openssl cms -verify ($1)"
    cmp -s msg "content-$1" || fail "CMS content differs ($1)"
    [ "$(sha1_of "signer-$1.pem" PEM)" = "${thumb[$1]}" ] || fail "CMS signer is not the $1 certificate"
done

# A new certificate on the card replaces the propagated one.
openssl req -x509 -newkey rsa:2048 -nodes -keyout new.key -subj /CN=certprop-new-sig -days 2 \
    -outform DER -out new-sig.der 2>/dev/null || fail "openssl req (new sig certificate)"
new=$(sha1_of new-sig.der DER)
printf '%s\n' "$ADMIN_PIN" | "$BUILD/tools/opgp-tool" --pin-fd 0 cert write sig new-sig.der ||
    fail "native cert write"
json=$(tool --json cert propagate) || fail "propagate after the card changed: exit $?"
echo "$json"
[ "$(jq_py '" ".join(c["action"] + ":" + c["thumbprint"] for c in j["certificates"] if c["slot"]=="sig")' <<<"$json")" = \
  "added:$new removed:${thumb[sig]}" ] || fail "the replaced sig certificate"
show2=$(ct show)
grep -q "^Cert: ${thumb[sig]} " <<<"$show2" && fail "the card's old sig certificate is still in MY"
grep -q "^Cert: $new mark=opgp-certprop $S sig prov=$CSP type=1 spec=2 " <<<"$show2" ||
    fail "the new sig certificate"

# Removal by reader, then by serial, then of all: exactly ours go.
for how in reader serial all; do
    case $how in
        reader) args=(--reader "$R" cert propagate --remove) ;;
        serial) args=(cert propagate --remove --serial "$S") ;;
        all) args=(cert propagate --remove) ;;
    esac
    out=$(tool "${args[@]}") || fail "--remove ($how) exit $?"
    echo "$out"
    [ "$(grep -c '^Certificate .*: removed$' <<<"$out")" = 2 ] || fail "--remove ($how): two removed"
    show3=$(ct show)
    grep -q " mark=opgp-certprop $S " <<<"$show3" && fail "--remove ($how) left ours"
    grep -q "^Cert: ${thumb[dec]} mark=- prov=- " <<<"$show3" || fail "--remove ($how) took the user's dec copy"
    grep -q "^Cert: $user mark=- " <<<"$show3" || fail "--remove ($how) took the user's certificate"
    [ $how = all ] || tool cert propagate >/dev/null || fail "propagate again"
done
out=$(tool cert propagate --remove) || fail "--remove of nothing: exit $?"
grep -q '^Removed .*: 0 certificates$' <<<"$out" || fail "--remove of nothing: $out"

# Errors: a reader that is not there, a serial that is not one.
"$RUN" "$TOOL" --reader "no such reader" cert propagate >/dev/null 2>err.txt; rc=$?
err=$(tr -d '\r' < err.txt)
[ "$rc" = 3 ] && grep -q 'no reader named "no such reader"' <<<"$err" || fail "unknown reader: $rc $err"
"$RUN" "$TOOL" cert propagate --remove --serial xyz >/dev/null 2>err.txt; rc=$?
err=$(tr -d '\r' < err.txt)
[ "$rc" = 1 ] && grep -q '"xyz" is not a card serial' <<<"$err" || fail "bad serial: $rc $err"
echo PASS
