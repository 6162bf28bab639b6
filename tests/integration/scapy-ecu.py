#!/usr/bin/python3
# A UDS ECU that this project did not write: Debian's python3-scapy automotive layer (its UDS
# packet classes and its EcuAnsweringMachine) on the kernel's ISO-TP through scapy's own socket
# setup (no TX padding, scapy's defaults).  Used by tests/integration/18-ident-scapy-peer.sh.
#
#   scapy-ecu.py IFACE REQ_ID RESP_ID READY_FILE [--fd] [--delay MS]
#
# Answers TesterPresent, ReadDataByIdentifier F190 (VIN), F187, F189; is silent on F18C (its answer
# is dropped before the socket); anything else gets scapy's generic negative response (7F SID 10).  --delay
# holds every answer back (a gateway in the path).  Runs until SIGTERM.
import signal
import sys
import time

from scapy.config import conf

conf.contribs["ISOTP"] = {"use-can-isotp-kernel-module": True}
conf.contribs["CANSocket"] = {"use-python-can": False}

from scapy.contrib.automotive.ecu import EcuAnsweringMachine, EcuResponse  # noqa: E402
from scapy.contrib.automotive.uds import UDS, UDS_RDBI, UDS_RDBIPR, UDS_TP, UDS_TPPR  # noqa: E402
from scapy.contrib.isotp import ISOTPNativeSocket  # noqa: E402
from scapy.packet import Raw  # noqa: E402

iface, req_id, resp_id, ready = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3], 16), sys.argv[4]
fd = "--fd" in sys.argv
delay = 0.0
if "--delay" in sys.argv:
    delay = int(sys.argv[sys.argv.index("--delay") + 1]) / 1000.0

VIN = b"WVWZZZ1KZAW000002"
sock = ISOTPNativeSocket(iface, tx_id=resp_id, rx_id=req_id, basecls=UDS, fd=fd)
plain_send = sock.send


def send(p):
    # F18C: the answering machine has an answer, the ECU keeps it to itself (silence on what it
    # does not give); everything else, late when asked to be
    if p.haslayer(UDS_RDBIPR) and p[UDS_RDBIPR].dataIdentifier == 0xF18C:
        return 0
    if delay:
        time.sleep(delay)
    return plain_send(p)


sock.send = send


def rdbi(did, value):
    return EcuResponse(None, responses=UDS() / UDS_RDBIPR(dataIdentifier=did) / Raw(value),
                       answers=lambda resp, req, did=did: req.service == 0x22 and
                       req.haslayer(UDS_RDBI) and did in req[UDS_RDBI].identifiers)


responses = [
    EcuResponse(None, responses=UDS() / UDS_TPPR()),
    rdbi(0xF190, VIN),
    rdbi(0xF187, b"5Q0907530AB"),
    rdbi(0xF189, b"0950"),
    rdbi(0xF18C, b"never sent"),
]
am = EcuAnsweringMachine(supported_responses=responses, main_socket=sock, basecls=UDS,
                         verbose=False)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
open(ready, "w").close()
am(timeout=120)
