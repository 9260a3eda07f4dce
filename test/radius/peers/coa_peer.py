"""
A NAS-side Disconnect/CoA listener (RFC 5176) built on pyrad, for the test that sends it our
requests. pyrad decodes and encodes; the two checks a NAS must make are written out here so the
test does not lean on our own code or on pyrad's defaults:

  Request Authenticator = MD5(Code | Identifier | Length | 16 zero octets | Attributes | Secret)
  Message-Authenticator = HMAC-MD5(Secret, packet with the M-A value zeroed), hashed while the
                          Authenticator field still holds the 16 zero octets (the Request
                          Authenticator covers the M-A, so it cannot be inside its own input)

A request failing either check is dropped without an answer, as a NAS must. Every request gets one
JSON line on stdout with the verdicts, so the test can see what the peer decided.

The User-Name picks the answer: "alice" is a known session (ACK), "spoil-ra" gets an ACK whose
Response Authenticator is wrong, "spoil-ma" an ACK whose Message-Authenticator is wrong, anyone
else a NAK with Error-Cause 503 (Session-Context-Not-Found).

Usage: coa_peer.py PORT SECRET DICTIONARY
"""
import hashlib
import hmac
import json
import socket
import struct
import sys

from pyrad import packet
from pyrad.dictionary import Dictionary

MA = 80
ZERO16 = b"\x00" * 16
ACK_FOR = {packet.DisconnectRequest: packet.DisconnectACK, packet.CoARequest: packet.CoAACK}


def ma_offset(raw):
    off = 20
    while off + 2 <= len(raw):
        kind, length = raw[off], raw[off + 1]
        if length < 2:
            return -1
        if kind == MA and length == 18:
            return off + 2
        off += length
    return -1


def with_auth(raw, auth):
    return raw[:4] + auth + raw[20:]


def request_authenticator_ok(raw, secret):
    expect = hashlib.md5(with_auth(raw, ZERO16) + secret).digest()
    return hmac.compare_digest(expect, raw[4:20])


def message_authenticator(raw, secret, header_auth):
    off = ma_offset(raw)
    if off < 0:
        return None, -1
    zeroed = with_auth(raw, header_auth)
    zeroed = zeroed[:off] + ZERO16 + zeroed[off + 16:]
    return hmac.new(secret, zeroed, hashlib.md5).digest(), off


def answer(req, code, secret, spoil):
    """ACK/NAK: Message-Authenticator first (hashed with the request's authenticator in the header,
    RFC 5176 §3.5), then the Response Authenticator MD5(Code|Id|Length|RequestAuth|Attrs|Secret)."""
    reply = packet.Packet(code=code, id=req.id, secret=secret, authenticator=req.authenticator,
                          dict=req.dict)
    reply["Message-Authenticator"] = ZERO16
    if code not in ACK_FOR.values():
        reply["Error-Cause"] = 503
    attrs = reply._PktEncodeAttributes()
    raw = struct.pack("!BBH", code, req.id, 20 + len(attrs)) + req.authenticator + attrs
    mac, off = message_authenticator(raw, secret, req.authenticator)
    if spoil == "ma":
        mac = bytes([mac[0] ^ 1]) + mac[1:]
    raw = raw[:off] + mac + raw[off + 16:]
    auth = hashlib.md5(raw + secret).digest()
    if spoil == "ra":
        auth = bytes([auth[0] ^ 1]) + auth[1:]
    return with_auth(raw, auth)


def main():
    port, secret, dict_path = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
    dictionary = Dictionary(dict_path)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    print(json.dumps({"ready": port}), flush=True)
    while True:
        raw, addr = sock.recvfrom(4096)
        try:
            req = packet.CoAPacket(secret=secret, dict=dictionary, packet=raw)
        except packet.PacketError as e:
            print(json.dumps({"malformed": str(e)}), flush=True)
            continue
        ra_ok = request_authenticator_ok(raw, secret)
        mac, off = message_authenticator(raw, secret, ZERO16)
        ma = "absent" if mac is None else ("ok" if hmac.compare_digest(mac, raw[off:off + 16]) else "bad")
        user = req["User-Name"][0] if "User-Name" in req else None
        verdict = {"code": req.code, "id": req.id, "user": user,
                   "requestAuthenticator": "ok" if ra_ok else "bad", "messageAuthenticator": ma}
        if req.code not in ACK_FOR or not ra_ok or ma != "ok":
            verdict["answer"] = None
            print(json.dumps(verdict), flush=True)
            continue
        ack = ACK_FOR[req.code]
        code = ack if user in ("alice", "spoil-ra", "spoil-ma") else ack + 1
        spoil = {"spoil-ra": "ra", "spoil-ma": "ma"}.get(user)
        verdict["answer"] = code
        if "Session-Timeout" in req:
            verdict["sessionTimeout"] = req["Session-Timeout"][0]
        print(json.dumps(verdict), flush=True)
        sock.sendto(answer(req, code, secret, spoil), addr)


if __name__ == "__main__":
    main()
