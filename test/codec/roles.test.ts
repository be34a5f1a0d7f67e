// The device links only the client role of the codec (issue 9, item 5): the client-role modules, and the client
// and firmware layers, import nothing from a `*-server` module, and the server role still decodes what a client
// sends while the client role refuses it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  encodeEmpty, PACKET, PacketType, ServerStreamDecoder, StreamDecoder, UNEXPECTED_PACKET,
} from "../../src/codec/index.js";

const ROOT = join(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

describe("codec roles", () => {
  it("client-role codec modules import no server-role module (index.ts, the Node barrel, is exempt)", () => {
    const clientFiles = sources("src/codec").filter((f) => !f.endsWith("-server.ts") && !f.endsWith("index.ts"));
    expect(clientFiles.length).toBeGreaterThanOrEqual(12);
    for (const f of clientFiles) {
      for (const spec of imports(f)) expect(`${f} -> ${spec}`).not.toMatch(/-server\.js$|index\.js$/);
    }
  });

  it("the modules a device links import only each other (not frame.ts, fields.ts, server modules or the barrel)", () => {
    const notOnDevice = /(-server|index|frame|fields)\.ts$/;
    const device = sources("src/codec").filter((f) => !notOnDevice.test(f));
    expect(device.map((f) => f.replace(/^.*\//, "")).sort()).toEqual([
      "ack.ts", "bytes.ts", "codes.ts", "connect.ts", "decoder.ts", "packet.ts", "ping.ts", "pool.ts", "publish.ts",
      "subscribe.ts", "text.ts", "topic.ts",
    ]);
    for (const f of device) {
      for (const spec of imports(f)) expect(`${f} -> ${spec}`).not.toMatch(/(-server|index|frame|fields)\.js$/);
    }
  });

  it("the client and the firmware import no server-role codec module and not the barrel", () => {
    for (const f of [...sources("src/client"), ...sources("src/app")]) {
      for (const spec of imports(f)) {
        if (spec.includes("/codec/")) expect(`${f} -> ${spec}`).not.toMatch(/-server\.js$|index\.js$/);
      }
    }
  });

  it("a client decoder refuses PINGREQ, a server decoder accepts it; both accept PUBACK", () => {
    const buf = new Uint8Array(4);
    encodeEmpty(buf, 0, PacketType.PINGREQ);
    const client = new StreamDecoder({ buffer: new Uint8Array(16), maxPacketSize: 64, role: "client", streamPayloads: false });
    const server = new ServerStreamDecoder({ buffer: new Uint8Array(16), maxPacketSize: 64, streamPayloads: false });
    expect(client.decode(buf, 0, 2)).toBe(UNEXPECTED_PACKET);
    expect(server.decode(buf, 0, 2)).toBe(PACKET);
    expect(server.packet.type).toBe(PacketType.PINGREQ);
    const noRole = new StreamDecoder({ buffer: new Uint8Array(16), maxPacketSize: 64, streamPayloads: false });
    buf.set([0x40, 2, 0, 9]);
    expect(noRole.decode(buf, 0, 4)).toBe(PACKET);
    expect(noRole.packet.packetId).toBe(9);
    server.reset();
    expect(server.decode(buf, 0, 4)).toBe(PACKET);
  });
});
