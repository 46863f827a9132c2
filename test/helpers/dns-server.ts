// A real DNS server on loopback for the validation tests: UDP, answers from records each test sets
// (A, AAAA, TXT, CAA), NXDOMAIN for names it holds nothing for, and on request SERVFAIL or silence
// (a timeout) for a name. Packets are made and read by dns-packet (dns2, the usual server library,
// needs Node 22); certdesk reaches it through DCV_DNS_SERVERS like any resolver.
import dgram from "node:dgram";
import type { AddressInfo } from "node:net";
import dnsPacket from "dns-packet";
import type { Answer, Packet } from "dns-packet";

export type RecordType = "A" | "AAAA" | "TXT" | "CAA";
export type CaaData = { flags?: number; tag: string; value: string };
type Data = string | CaaData;

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

export interface TestDns {
  /** For DCV_DNS_SERVERS: 127.0.0.1:port. */
  server: string;
  set(name: string, type: RecordType, values: Data[]): void;
  /** Removes every record of the name (it then answers NXDOMAIN). */
  remove(name: string): void;
  servfail(name: string): void;
  silent(name: string): void;
  /** The names asked for, lower case, in order. */
  asked: string[];
  close(): Promise<void>;
}

export async function startTestDns(): Promise<TestDns> {
  const records = new Map<string, Map<RecordType, Data[]>>();
  const failing = new Set<string>();
  const quiet = new Set<string>();
  const asked: string[] = [];
  const socket = dgram.createSocket("udp4");

  socket.on("message", (message, remote) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, "");
    asked.push(name);
    if (quiet.has(name)) return;
    const held = records.get(name);
    let rcode = 0;
    const answers: Answer[] = [];
    if (failing.has(name)) rcode = RCODE_SERVFAIL;
    else if (!held) rcode = RCODE_NXDOMAIN;
    else {
      for (const data of held.get(question.type as RecordType) ?? []) {
        if (question.type === "CAA") {
          const caa = data as CaaData;
          answers.push({ type: "CAA", name: question.name, ttl: 1, data: { flags: caa.flags ?? 0, tag: caa.tag as "issue", value: caa.value } });
        } else if (question.type === "TXT") {
          answers.push({ type: "TXT", name: question.name, ttl: 1, data: data as string });
        } else {
          answers.push({ type: question.type as "A", name: question.name, ttl: 1, data: data as string });
        }
      }
    }
    const response = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: query.questions,
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });

  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address() as AddressInfo;
  const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
  return {
    server: `127.0.0.1:${port}`,
    asked,
    set(name, type, values) {
      const held = records.get(key(name)) ?? new Map<RecordType, Data[]>();
      held.set(type, values);
      records.set(key(name), held);
    },
    remove(name) {
      records.delete(key(name));
    },
    servfail(name) {
      failing.add(key(name));
    },
    silent(name) {
      quiet.add(key(name));
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
