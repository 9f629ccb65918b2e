#!/bin/bash
# status --json and list --json are valid JSON (python3 -m json.tool) with the fields scripts need,
# holding the simulator's values.
. "$(dirname "$0")/common.inc"
need_card rsa2048
json=$("$TOOL" --json status) || fail "status --json exit $?"
python3 -m json.tool <<<"$json" >/dev/null || fail "status --json is not JSON: $json"
python3 - "$json" "$OPGP_TEST_PUBKEYS" "$OPGP_TEST_READER" <<'PY' || fail "status --json fields"
import json, sys, pathlib
d = json.loads(sys.argv[1]); pub = pathlib.Path(sys.argv[2])
assert d["reader"] == sys.argv[3], d["reader"]
assert d["application_id"] == (pub / "aid").read_text().strip()
assert d["serial"] == (pub / "serial").read_text().strip()
assert d["version"] == "3.4" and d["manufacturer_id"] == "FFFF"
assert d["manufacturer"] == "test card"
assert d["name"] == "Card Test" and d["name_raw"] == "Test<<Card"
assert d["language"] == "en" and d["login"] == "opgp-test"
assert d["url"] == "https://example.invalid/opgp-test.asc"
assert d["pin_retries"] == {"pw1": 3, "rc": 3, "pw3": 3}, d["pin_retries"]
assert d["pin_per_signature"] is False
assert isinstance(d["signature_counter"], int)
assert d["kdf"]["enabled"] is False
assert d["extended_length"]["supported"] is True
assert [k["slot"] for k in d["keys"]] == ["sig", "dec", "aut"]
for k in d["keys"]:
    want = (pub / (k["slot"] + ".fpr")).read_text().strip()
    assert k["present"] is True and k["algorithm"] == "RSA 2048"
    assert k["fingerprint"] == want, (k["fingerprint"], want)
    assert k["created_unix"] > 1600000000
    cert = k["certificate"]
    assert cert["subject"].startswith("O=opgp test,CN=opgp-sim"), cert
    assert cert["not_before"] < cert["not_after"]
print("fields ok")
PY
list=$("$TOOL" list --json) || fail "list --json exit $?"
python3 -m json.tool <<<"$list" >/dev/null || fail "list --json is not JSON: $list"
python3 - "$list" "$(cat "$OPGP_TEST_PUBKEYS/serial")" <<'PY' || fail "list --json fields"
import json, sys
d = json.loads(sys.argv[1])
cards = [r for r in d["readers"] if r.get("openpgp")]
assert len(cards) == 1 and cards[0]["serial"] == sys.argv[2], d
assert any(not r["card_present"] for r in d["readers"]), d  # vpcd's second, empty slot
PY
echo PASS
