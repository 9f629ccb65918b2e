#!/usr/bin/env python3
"""Compare `opgp-tool --json status` with `gpg --card-status` for the same card, field by field.

usage: gpg_compare.py STATUS.json GPG-CARD-STATUS.txt
Prints one line per field with both values; exits 1 when any field differs or is missing."""
import json
import sys

d = json.load(open(sys.argv[1]))
gpg = {}
last_key = None
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
    if ":" in line and not line.startswith(" "):
        key, _, value = line.partition(":")
        gpg[key.rstrip(" .")] = value.strip()
    elif line.strip().startswith("created") and last_key:
        gpg[last_key + " created"] = line.partition(":")[2].strip()
    if line.startswith(("Signature key", "Encryption key", "Authentication key")):
        last_key = line.partition(" key")[0]
    elif not line.startswith(" "):
        last_key = None

def text(v):  # gpg's words for an empty data object
    return "[not set]" if v is None else str(v)

keys = {k["slot"]: k for k in d["keys"]}
pw = d["pin_retries"]
ml = d["pin_max_length"]
fields = [
    ("Application ID", d["application_id"], gpg.get("Application ID")),
    ("Version", d["version"], gpg.get("Version")),
    ("Manufacturer", d["manufacturer"], gpg.get("Manufacturer")),
    ("Serial number", d["serial"], gpg.get("Serial number")),
    ("Name of cardholder", text(d["name"]), gpg.get("Name of cardholder")),
    ("Language prefs", text(d["language"]), gpg.get("Language prefs")),
    ("URL of public key", text(d["url"]), gpg.get("URL of public key")),
    ("Login data", text(d["login"]), gpg.get("Login data")),
    ("Signature PIN", "forced" if d["pin_per_signature"] else "not forced",
     gpg.get("Signature PIN")),
    ("Max. PIN lengths", "%d %d %d" % (ml["pw1"], ml["rc"], ml["pw3"]),
     gpg.get("Max. PIN lengths")),
    ("PIN retry counter", "%d %d %d" % (pw["pw1"], pw["rc"], pw["pw3"]),
     gpg.get("PIN retry counter")),
    ("Signature counter", str(d["signature_counter"]), gpg.get("Signature counter")),
]
for slot, label in (("sig", "Signature"), ("dec", "Encryption"), ("aut", "Authentication")):
    k = keys[slot]
    fpr = k["fingerprint_grouped"] if k.get("fingerprint") else "[none]"
    fields.append((label + " key", fpr, gpg.get(label + " key")))
    if k.get("fingerprint"):
        fields.append((label + " key created", k["created"], gpg.get(label + " created")))

bad = 0
for name, mine, theirs in fields:
    same = theirs is not None and mine == theirs
    bad += not same
    print("%-3s %-24s opgp-tool=%-45r gpg=%r" % ("ok" if same else "BAD", name, mine, theirs))
sys.exit(1 if bad else 0)
