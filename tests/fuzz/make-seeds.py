#!/usr/bin/env python3
"""Make the seed corpora of the fuzz targets from the recorded card exchanges.

    tests/fuzz/make-seeds.py [--transcripts DIR] [--session-binary build/fuzz/tests/fuzz/fuzz_card_session]

Writes tests/fuzz/corpus/<target>/seed-* (content-named, so reruns only add what is new):
  fuzz_tlv           every response's data
  fuzz_appdata       the DOs of GET DATA (6E, 65, 7A, FA, F9, C4, 5F52, 7F74, 4F)
  fuzz_pubkey        the 7F49 templates of GENERATE ASYMMETRIC KEY PAIR (P1 81), each behind the
                     selector byte fuzz_pubkey.c maps to the transcript's algorithm
  fuzz_apdu          the raw answers to commands the card answered in 61xx pieces, behind the
                     12-byte set-up of fuzz_apdu.c (short and extended links)
  fuzz_card_session  per transcript, its responses in recorded order; and with --session-binary,
                     per algorithm, the stream that answers exactly what the session target asks
                     (grown one answer at a time by running the target with OPGP_FUZZ_TRACE=1),
                     looked up among all recorded exchanges of that algorithm
and the hand-made edge cases of edge_cases() as edge-* (regress-* for inputs that found a bug).
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TRANSCRIPTS = os.path.normpath(os.path.join(HERE, "..", "transcripts"))

# fuzz_pubkey.c: 4 RSA sizes (1024, 2048, 3072, 4096), then the ECC table pairs (ECDSA, ECDH)
# for P-256, P-384, P-521, bp256, bp384, bp512, secp256k1, then Ed25519 (EdDSA), X25519 (ECDH).
PUBKEY_SELECTOR = {
    ("rsa2048", 0xB6): 1, ("rsa2048", 0xB8): 1, ("rsa2048", 0xA4): 1,
    ("p256", 0xB6): 4, ("p256", 0xB8): 5, ("p256", 0xA4): 4,
    ("cv25519", 0xB6): 18, ("cv25519", 0xB8): 19, ("cv25519", 0xA4): 18,
}
APPDATA_TAGS = {0x006E, 0x0065, 0x007A, 0x00FA, 0x00F9, 0x00C4, 0x5F52, 0x7F74, 0x004F}


def load(path):
    """[(cmd, resp)] of one transcript file."""
    pairs, cmd = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                cmd = bytes.fromhex(line[1:].strip())
            elif line.startswith("<") and cmd is not None:
                pairs.append((cmd, bytes.fromhex(line[1:].strip())))
                cmd = None
    return pairs


def logical(pairs):
    """[(cmd, data, sw, raw answers)]: each command with its GET RESPONSE pieces joined."""
    out, i = [], 0
    while i < len(pairs):
        cmd, resp = pairs[i]
        data, raws = bytearray(resp[:-2]), [resp]
        sw = resp[-2:]
        i += 1
        while sw[0] == 0x61 and i < len(pairs) and pairs[i][0][1] == 0xC0:
            resp = pairs[i][1]
            data += resp[:-2]
            raws.append(resp)
            sw = resp[-2:]
            i += 1
        out.append((cmd, bytes(data), bytes(sw), raws))
    return out


def stream(answers):
    return b"".join(struct.pack(">H", len(a)) + a for a in answers)


class Corpus:
    def __init__(self, root):
        self.root, self.count = root, {}

    def add(self, target, blob):
        d = os.path.join(self.root, target)
        os.makedirs(d, exist_ok=True)
        name = "seed-" + hashlib.sha1(blob).hexdigest()[:16]
        self.count.setdefault(target, set()).add(name)
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)


def apdu_fields(cmd):
    """(ins, p1, p2, data, short_le) of an encoded command; short_le True for a short Le."""
    ins, p1, p2 = cmd[1], cmd[2], cmd[3]
    if len(cmd) <= 5:
        return ins, p1, p2, b"", len(cmd) == 5
    if cmd[4] != 0:
        lc = cmd[4]
        return ins, p1, p2, cmd[5:5 + lc], len(cmd) == 6 + lc
    if len(cmd) == 7:
        return ins, p1, p2, b"", False
    lc = (cmd[5] << 8) | cmd[6]
    return ins, p1, p2, cmd[7:7 + lc], False


class Oracle:
    """Answers a command from recorded exchanges: same INS, P1, P2 and data first, then same
    INS, P1, P2 (signatures of other digests), else 6A88. Long answers to a short Le are cut
    into 61xx pieces, handed out by GET RESPONSE."""

    def __init__(self, exchanges):
        self.exact, self.loose, self.pending = {}, {}, b""
        for cmd, data, sw, _ in exchanges:
            ins, p1, p2, cdata, _ = apdu_fields(cmd)
            if ins == 0xC0:
                continue
            self.exact.setdefault((ins, p1, p2, cdata), (data, sw))
            if sw == b"\x90\x00":
                self.loose.setdefault((ins, p1, p2), (data, sw))

    def piece(self, data, sw, short):
        if short and len(data) > 256:
            self.pending = data[256:]
            rest = len(self.pending)
            return data[:256] + bytes([0x61, rest if rest < 256 else 0])
        self.pending = b""
        return data + sw

    def answer(self, cmd):
        ins, p1, p2, cdata, short = apdu_fields(cmd)
        if ins == 0xC0:
            return self.piece(self.pending, b"\x90\x00", True)
        hit = self.exact.get((ins, p1, p2, cdata)) or self.loose.get((ins, p1, p2))
        if not hit:
            return b"\x6A\x88"
        return self.piece(hit[0], hit[1], short)


def grow_session(binary, oracle, limit=200):
    """The answers, in order, to what fuzz_card_session sends when answered by oracle."""
    answers = []
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "opgp-session-seed-%d" % os.getpid())
    try:
        for _ in range(limit):
            with open(path, "wb") as f:
                f.write(stream(answers))
            env = dict(os.environ, OPGP_FUZZ_TRACE="1")
            r = subprocess.run([binary, path], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("fuzz_card_session failed on a seed:\n" + r.stderr[-4000:])
            # Only the first run: libFuzzer runs an input again when it suspects a leak.
            first = r.stderr.split("# run\n")[1] if "# run\n" in r.stderr else r.stderr
            sent = [bytes.fromhex(l[2:]) for l in first.splitlines() if l.startswith("> ")]
            if len(sent) <= len(answers):
                break
            answers.append(oracle.answer(sent[len(answers)]))
    finally:
        if os.path.exists(path):
            os.unlink(path)
    return answers


def tlv(tag, value):
    t = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82]) + n.to_bytes(2, "big")
    return t + length + value


def edge_cases():
    """{target: {name: bytes}}: hand-made inputs at the edges the recorded cards never reach."""
    aid = bytes.fromhex("D276000124010304F1D0000000010000")
    rsa = bytes.fromhex("010800002000")
    required = (tlv(0x4F, aid) + tlv(0xC0, bytes.fromhex("7D000BFE080000FF0000")) +
                tlv(0xC1, rsa) + tlv(0xC2, rsa) + tlv(0xC3, rsa) +
                tlv(0xC4, bytes.fromhex("007F7F7F030003")))
    kdf_huge = (tlv(0x81, b"\x03") + tlv(0x82, b"\x08") + tlv(0x83, b"\xff\xff\xff\xff") +
                tlv(0x84, bytes(range(8))))
    nested = b"\x5B\x01A"
    for _ in range(9):
        nested = tlv(0x73, nested)
    sw_ok = b"\x90\x00"
    short_link = bytes([0x00, 0x00, 0xFF, 0x00, 0x01, 0x00, 0, 0, 0x01, 0x00, 0x04, 0x00])
    chained = bytes([0x02, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 0x10])
    return {
        "fuzz_tlv": {
            "edge-nesting-9": nested,
            "edge-length-83": bytes.fromhex("4F830000014142"),
            "edge-padding": bytes.fromhex("00FF004F0141FF00"),
            "edge-tag-4-bytes": bytes.fromhex("5FFFFF0101AA"),
            "edge-length-past-end": bytes.fromhex("7F4982FFFF00"),
        },
        "fuzz_appdata": {
            "edge-6e-required-only": tlv(0x6E, required),
            "edge-6e-in-73": tlv(0x6E, tlv(0x4F, aid) + tlv(0x73, required[len(tlv(0x4F, aid)):])),
            "edge-6e-kdf-huge": tlv(0x6E, required + tlv(0xF9, kdf_huge)),
            "edge-fa-70-entries": tlv(0xFA, tlv(0xC1, rsa) * 70),
            "edge-65-long-name": tlv(0x65, tlv(0x5B, b"N" * 100) + tlv(0x5F2D, b"deenfrit" * 3)),
            "edge-historical": bytes.fromhex("0031C573C00140059000"),
        },
        "fuzz_pubkey": {
            "edge-rsa4096-leading-zeros": bytes([3]) + tlv(0x7F49, tlv(0x81, b"\x00" * 8 + b"\xC3" * 512) +
                                                          tlv(0x82, b"\x01\x00\x01")),
            "edge-p521-point-too-long": bytes([8]) + tlv(0x7F49, tlv(0x86, b"\x04" + b"\x11" * 133)),
            "edge-ed25519-prefixed": bytes([18]) + tlv(0x7F49, tlv(0x86, b"\x40" + b"\x22" * 32)),
            "edge-rsa-exponent-9-bytes": bytes([1]) + tlv(0x7F49, tlv(0x81, b"\xC3" * 256) +
                                                         tlv(0x82, b"\x01" * 9)),
        },
        "fuzz_apdu": {
            "edge-endless-61xx": short_link + stream([b"\x61\x00"] * 300),
            "edge-6cxx-twice": short_link + stream([b"\x6C\x10", b"\x6C\x20", b"A" * 32 + sw_ok]),
            "edge-6cxx-then-61xx": short_link + stream([b"\x6C\x10", b"B" * 16 + b"\x61\x05",
                                                        b"C" * 5 + sw_ok]),
            "edge-truncated-1-byte": short_link + stream([b"\x90"]),
            "edge-oversized": short_link + struct.pack(">H", 0xFFFE) + b"D" * 0xFFFE,
            "edge-transport-reset": short_link + b"\xFF\xFF\x00",
            "edge-chain-refused": chained + stream([sw_ok] * 3 + [b"\x6A\x80"]),
        },
        "fuzz_card_session": {
            "regress-kdf-huge-iterations": stream([sw_ok, tlv(0x6E, required + tlv(0xF9, kdf_huge)) + sw_ok]),
            "edge-select-terminated": stream([b"\x62\x85"]),
            "edge-6e-then-resets": stream([sw_ok, tlv(0x6E, required) + sw_ok]) + b"\xFF\xFF\x00" * 40,
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcripts", default=DEFAULT_TRANSCRIPTS)
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--session-binary")
    args = ap.parse_args()

    corpus = Corpus(args.out)
    families = {}
    for name in sorted(os.listdir(args.transcripts)):
        if not name.endswith(".txt"):
            continue
        family = name.split("-")[0]
        pairs = load(os.path.join(args.transcripts, name))
        ex = logical(pairs)
        families.setdefault(family, []).extend(ex)
        corpus.add("fuzz_card_session", stream([r for _, r in pairs]))
        for cmd, data, sw, raws in ex:
            ins, p1, p2, cdata, short = apdu_fields(cmd)
            if data:
                corpus.add("fuzz_tlv", data)
            if ins == 0xCA and ((p1 << 8) | p2) in APPDATA_TAGS and data:
                corpus.add("fuzz_appdata", data)
            if ins == 0x47 and p1 == 0x81 and data and cdata:
                sel = PUBKEY_SELECTOR.get((family, cdata[0]))
                if sel is not None:
                    corpus.add("fuzz_pubkey", bytes([sel]) + data)
            if len(raws) > 1:
                # flags, max_cmd 00FF, max_resp 000100, no data, Le 0100 / all, capacity 4 KiB.
                for flags in (0x00, 0x01 | 0x20):
                    setup = bytes([flags, 0x00, 0xFF, 0x00, 0x01, 0x00, 0, 0, 0x01, 0x00, 0x04, 0x00])
                    corpus.add("fuzz_apdu", setup + stream(raws))

    for target, cases in edge_cases().items():
        d = os.path.join(args.out, target)
        os.makedirs(d, exist_ok=True)
        for name, blob in cases.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(blob)

    if args.session_binary:
        for family, ex in sorted(families.items()):
            answers = grow_session(args.session_binary, Oracle(ex))
            corpus.add("fuzz_card_session", stream(answers))
            print("session seed %s: %d answers" % (family, len(answers)))

    for target, names in sorted(corpus.count.items()):
        print("%-18s %d distinct seeds" % (target, len(names)))


if __name__ == "__main__":
    main()
