"""A Modbus slave built on pymodbus, for interop tests of the dCMMS adapter.

Register contents are encoded here with Python's struct module from a JSON spec given by
the test (address, type, byte order, value), independently of the TypeScript codec.
Serves TCP (--port) or RTU on a serial path (--serial). Prints READY when listening.
"""
import argparse
import asyncio
import json
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer

FORMATS = {
    "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I",
    "int64": ">q", "uint64": ">Q", "float32": ">f", "float64": ">d",
}


def encode(kind, order, value, length=None):
    """Registers (ints 0..65535) for a value, bytes A B C D... placed per the order name."""
    if kind == "string":
        raw = value.encode("latin-1").ljust(length * 2, b"\0")
    else:
        raw = struct.pack(FORMATS[kind], value)
    words = [raw[i:i + 2] for i in range(0, len(raw), 2)]
    if order in ("CDAB", "DCBA") and kind != "string":
        words.reverse()
    if order in ("BADC", "DCBA"):
        words = [w[::-1] for w in words]
    return [int.from_bytes(w, "big") for w in words]


def build_block(spec):
    size = 1 + max([p["address"] + 8 for p in spec] + [200])
    regs = [0] * size
    for p in spec:
        for i, w in enumerate(encode(p["type"], p.get("byteOrder", "ABCD"), p["value"], p.get("length"))):
            regs[p["address"] + i] = w
    return regs


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--serial")
    ap.add_argument("--baud", type=int, default=9600)
    ap.add_argument("--spec", required=True, help="JSON list of {address,type,byteOrder,value,length}")
    ap.add_argument("--unit", type=int, default=1)
    ap.add_argument("--parity", default="N", choices=["N", "E", "O"])
    args = ap.parse_args()
    spec = json.loads(args.spec)
    regs = build_block(spec)
    coils = [i % 3 == 0 for i in range(64)]
    # zero_mode: block index = protocol address, as the test's spec means it.
    store = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, regs),
        ir=ModbusSequentialDataBlock(0, regs),
        co=ModbusSequentialDataBlock(0, coils),
        di=ModbusSequentialDataBlock(0, coils),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={args.unit: store}, single=False)
    print("READY", flush=True)
    if args.serial:
        await StartAsyncSerialServer(context=context, port=args.serial, baudrate=args.baud, parity=args.parity, stopbits=1, bytesize=8)
    else:
        await StartAsyncTcpServer(context=context, address=("127.0.0.1", args.port))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
