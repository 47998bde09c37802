"""An OPC-UA server built on asyncua (FreeOpcUa), for interop tests of the dCMMS adapter.

Variables under Objects/Plant (namespace urn:dcmms:interop):
  static values of every scalar type, a `counter` Int32 +1 every 100 ms, a `ramp` Double
  +0.5 every 100 ms (for absolute deadbands), a writable Double `setpoint`.
With --secure, only Basic256Sha256 SignAndEncrypt is offered; the server certificate is
written to --cert-out (DER) so the test can trust it explicitly. Prints READY when serving.
"""
import argparse
import asyncio
import os
from pathlib import Path
import socket
import sys

from asyncua import Server, ua
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from asyncua.crypto.permission_rules import SimpleRoleRuleset, User, UserRole
from asyncua.server.user_managers import UserManager
from cryptography.x509.oid import ExtendedKeyUsageOID


class PasswordUsers(UserManager):
    def __init__(self, users):
        self.users = users

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username is None:
            return User(role=UserRole.User)
        if self.users.get(username) == password:
            return User(role=UserRole.User, name=username)
        return None


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--secure", action="store_true")
    ap.add_argument("--pki", help="folder for the server certificate and key")
    ap.add_argument("--cert-out", help="write the server certificate (DER) here")
    ap.add_argument("--user", action="append", default=[], help="NAME:PASSWORD")
    args = ap.parse_args()

    users = dict(u.split(":", 1) for u in args.user)
    server = Server(user_manager=PasswordUsers(users) if users else None)
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{args.port}/interop")
    server.set_server_name("asyncua interop peer")
    await server.set_application_uri("urn:dcmms:interop:asyncua")
    if args.secure:
        os.makedirs(args.pki, exist_ok=True)
        cert = Path(args.pki) / "server-cert.der"
        key = Path(args.pki) / "server-key.pem"
        await setup_self_signed_certificate(
            key, cert, "urn:dcmms:interop:asyncua", socket.gethostname(),
            [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH],
            {"countryName": "NL", "stateOrProvinceName": "NH", "localityName": "A", "organizationName": "dCMMS interop"},
        )
        await server.load_certificate(cert)
        await server.load_private_key(key)
        server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt], permission_ruleset=SimpleRoleRuleset())
        if args.cert_out:
            with open(cert, "rb") as src, open(args.cert_out, "wb") as dst:
                dst.write(src.read())
    else:
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])

    idx = await server.register_namespace("urn:dcmms:interop")
    plant = await server.nodes.objects.add_object(ua.NodeId("Plant", idx), "Plant")

    async def var(name, value, vtype):
        return await plant.add_variable(ua.NodeId(name, idx), name, ua.Variant(value, vtype))

    await var("bool", True, ua.VariantType.Boolean)
    await var("int16", -1234, ua.VariantType.Int16)
    await var("uint16", 65000, ua.VariantType.UInt16)
    await var("int32", -123456789, ua.VariantType.Int32)
    await var("uint32", 4000000000, ua.VariantType.UInt32)
    await var("int64", -9007199254740991, ua.VariantType.Int64)
    await var("uint64", 9007199254740991, ua.VariantType.UInt64)
    await var("float", 123.456, ua.VariantType.Float)
    await var("double", -1.5, ua.VariantType.Double)
    await var("string", "asyncua says hello", ua.VariantType.String)
    counter = await var("counter", 0, ua.VariantType.Int32)
    ramp = await var("ramp", 0.0, ua.VariantType.Double)
    setpoint = await var("setpoint", 10.0, ua.VariantType.Double)
    await setpoint.set_writable()

    async with server:
        print("READY", flush=True)
        n = 0
        while True:
            await asyncio.sleep(0.1)
            n += 1
            await counter.write_value(ua.Variant(n, ua.VariantType.Int32))
            await ramp.write_value(ua.Variant(n * 0.5, ua.VariantType.Double))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
