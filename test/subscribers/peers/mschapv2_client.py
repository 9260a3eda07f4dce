"""
A PPP server's RADIUS client doing MS-CHAPv2 (RFC 2548, RFC 2759), built on pyrad, for the PPP
access test. The NT-Response is computed here independently of the server's code (MD4 and DES
are written out, as Python's hashlib lacks MD4 under OpenSSL 3; DES comes from `cryptography`).
It checks the server's MS-CHAP2-Success against its own authenticator response and recovers the
MPPE keys with the shared secret, then prints one JSON line.

Usage: mschapv2_client.py PORT SECRET DICTIONARY USER PASSWORD
"""
import hashlib
import json
import os
import struct
import sys
import warnings

warnings.filterwarnings("ignore")
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from pyrad import packet  # noqa: E402
from pyrad.client import Client  # noqa: E402
from pyrad.dictionary import Dictionary  # noqa: E402


def md4(data):
    def f(x, y, z): return (x & y) | (~x & z)
    def g(x, y, z): return (x & y) | (x & z) | (y & z)
    def h(x, y, z): return x ^ y ^ z
    def rotl(x, n): x &= 0xffffffff; return ((x << n) | (x >> (32 - n))) & 0xffffffff
    msg = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack("<Q", len(data) * 8)
    a, b, c, d = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        aa, bb, cc, dd = a, b, c, d
        for i in (0, 4, 8, 12):
            a = rotl(a + f(b, c, d) + x[i], 3); d = rotl(d + f(a, b, c) + x[i + 1], 7)
            c = rotl(c + f(d, a, b) + x[i + 2], 11); b = rotl(b + f(c, d, a) + x[i + 3], 19)
        for i in (0, 1, 2, 3):
            a = rotl(a + g(b, c, d) + x[i] + 0x5a827999, 3); d = rotl(d + g(a, b, c) + x[i + 4] + 0x5a827999, 5)
            c = rotl(c + g(d, a, b) + x[i + 8] + 0x5a827999, 9); b = rotl(b + g(c, d, a) + x[i + 12] + 0x5a827999, 13)
        for i in (0, 2, 1, 3):
            a = rotl(a + h(b, c, d) + x[i] + 0x6ed9eba1, 3); d = rotl(d + h(a, b, c) + x[i + 8] + 0x6ed9eba1, 9)
            c = rotl(c + h(d, a, b) + x[i + 4] + 0x6ed9eba1, 11); b = rotl(b + h(c, d, a) + x[i + 12] + 0x6ed9eba1, 15)
        a, b, c, d = (a + aa) & 0xffffffff, (b + bb) & 0xffffffff, (c + cc) & 0xffffffff, (d + dd) & 0xffffffff
    return struct.pack("<4I", a, b, c, d)


def des(key7, block):
    bits = int.from_bytes(key7, "big")
    key = bytes((((bits >> (49 - 7 * i)) & 0x7f) << 1) for i in range(8))
    enc = Cipher(algorithms.TripleDES(key * 3), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def main():
    port, secret, dictionary, user, password = sys.argv[1:6]
    auth_challenge, peer_challenge = os.urandom(16), os.urandom(16)
    challenge = hashlib.sha1(peer_challenge + auth_challenge + user.encode()).digest()[:8]
    pw_hash = md4(password.encode("utf-16-le"))
    z = pw_hash + b"\x00" * 5
    nt_response = des(z[0:7], challenge) + des(z[7:14], challenge) + des(z[14:21], challenge)

    client = Client(server="127.0.0.1", authport=int(port), secret=secret.encode(), dict=Dictionary(dictionary))
    client.timeout, client.retries = 5, 3
    req = client.CreateAuthPacket(code=packet.AccessRequest, User_Name=user)
    req["Service-Type"] = "Framed-User"
    req["Framed-Protocol"] = "PPP"
    req["MS-CHAP-Challenge"] = auth_challenge
    req["MS-CHAP2-Response"] = bytes([9, 0]) + peer_challenge + b"\x00" * 8 + nt_response
    reply = client.SendPacket(req)

    out = {"code": reply.code}
    if reply.code == packet.AccessAccept:
        hh = md4(pw_hash)
        digest = hashlib.sha1(hh + nt_response + b"Magic server to client signing constant").digest()
        digest = hashlib.sha1(digest + challenge + b"Pad to make it do more than one iteration").digest()
        expect = b"\x09S=" + digest.hex().upper().encode()
        success = reply["MS-CHAP2-Success"][0]
        out["successOk"] = success == expect
        master = hashlib.sha1(hh + nt_response + b"This is the MPPE Master Key").digest()[:16]
        magic3 = b"On the client side, this is the receive key; on the server side, it is the send key."
        want_send = hashlib.sha1(master + b"\x00" * 40 + magic3 + b"\xf2" * 40).digest()[:16]
        raw = reply["MS-MPPE-Send-Key"][0]
        salt, cipher = raw[:2], raw[2:]
        plain, prev = b"", req.authenticator + salt
        for i in range(0, len(cipher), 16):
            b = hashlib.md5(secret.encode() + prev).digest()
            plain += bytes(x ^ y for x, y in zip(cipher[i:i + 16], b))
            prev = cipher[i:i + 16]
        out["sendKeyOk"] = plain[0] == 16 and plain[1:17] == want_send and (salt[0] & 0x80) == 0x80
        out["pool"] = reply["Framed-Pool"][0] if "Framed-Pool" in reply else None
    print(json.dumps(out))


main()
