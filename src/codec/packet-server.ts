/**
 * The decode result of a server-role decoder: {@link Packet} plus the fields of what a client sends (CONNECT,
 * SUBSCRIBE, UNSUBSCRIBE). For brokers, tests and the simulator; a device links only `packet.ts`.
 * @module
 */
import { Packet } from "./packet.js";

/**
 * {@link Packet} with the CONNECT and SUBSCRIBE/UNSUBSCRIBE fields, created once per server decoder. Like
 * `Packet`, it stores only numbers, booleans and references, and fields of other types keep stale values.
 */
export class ServerPacket extends Packet {
  /** SUBSCRIBE/UNSUBSCRIBE entry list start in `buffer` (iterate with `nextFilter`). */
  listOffset = 0;
  /** SUBSCRIBE/UNSUBSCRIBE entry list length in bytes. */
  listLength = 0;
  /** Number of SUBSCRIBE/UNSUBSCRIBE entries. */
  listCount = 0;
  /** CONNECT protocol level (set even when the level is refused, so a server can answer CONNACK 1). */
  protocolLevel = 0;
  /** CONNECT flags byte. */
  connectFlags = 0;
  /** CONNECT clean session flag. */
  cleanSession = false;
  /** CONNECT keep alive in seconds. */
  keepAlive = 0;
  /** CONNECT client identifier bytes in `buffer`. */
  clientIdOffset = 0;
  /** CONNECT client identifier length (may be 0). */
  clientIdLength = 0;
  /** CONNECT will topic start, -1 without will. */
  willTopicOffset = -1;
  /** CONNECT will topic length, -1 without will. */
  willTopicLength = -1;
  /** CONNECT will payload start, -1 without will. */
  willPayloadOffset = -1;
  /** CONNECT will payload length, -1 without will. */
  willPayloadLength = -1;
  /** CONNECT will QoS. */
  willQos = 0;
  /** CONNECT will retain flag. */
  willRetain = false;
  /** CONNECT user name start, -1 when absent. */
  usernameOffset = -1;
  /** CONNECT user name length, -1 when absent. */
  usernameLength = -1;
  /** CONNECT password start, -1 when absent. */
  passwordOffset = -1;
  /** CONNECT password length, -1 when absent. */
  passwordLength = -1;
}
