/**
 * Public API of the MQTT 3.1.1 codec, both roles, for Node users (tests, simulator, brokers). A device build
 * links the client-role modules directly and never this barrel: `codes`, `bytes`, `packet`, `connect`,
 * `publish`, `ack`, `subscribe`, `ping`, `decoder`, `pool`, `topic`, `text`. The server role lives in the
 * `*-server` modules (`packet-server`, `connect-server`, `subscribe-server`, `decoder-server`); `frame`
 * (whole-packet decoders) and `fields` (checked field writers) are client-side helpers a device does not need.
 * @module
 */
export * from "./codes.js";
export { checkPacketId, copyBytes, putVarInt, sizeVarInt, varIntLength } from "./bytes.js";
export { readU16, writeBytes, writeU16, writeU8, writeVarInt } from "./fields.js";
export { checkFixedHeader, Packet } from "./packet.js";
export { decodeAck, decodeConnack, decodeEmpty, decodePublish, decodeSuback, readFixedHeader } from "./frame.js";
export { ServerPacket } from "./packet-server.js";
export type { ConnectInfo, WillInfo } from "./connect.js";
export { decodeConnackBody, encodeConnect, sizeConnect } from "./connect.js";
export type { ConnackInfo } from "./connect-server.js";
export { decodeConnect, decodeConnectBody, encodeConnack, sizeConnack } from "./connect-server.js";
export type { PublishInfo } from "./publish.js";
export {
  decodePublishBody, decodePublishHead, encodePublish, encodePublishHeader, sizePublish, sizePublishHeader,
} from "./publish.js";
export { decodeAckBody, encodeAck, isAckType, sizeAck } from "./ack.js";
export type { SubscribeInfo, UnsubscribeInfo } from "./subscribe.js";
export { decodeSubackBody, encodeSubscribe, encodeUnsubscribe, sizeSubscribe, sizeUnsubscribe } from "./subscribe.js";
export type { SubackInfo } from "./subscribe-server.js";
export {
  decodeSubscribe, decodeSubscribeBody, decodeUnsubscribe, decodeUnsubscribeBody, encodeSuback, filterLength,
  filterOffset, filterQos, firstFilter, nextFilter, sizeSuback,
} from "./subscribe-server.js";
export { decodeEmptyBody, encodeEmpty, isEmptyType, sizeEmpty } from "./ping.js";
export type { StreamDecoderOptions } from "./decoder.js";
export { CLIENT_ACCEPTS, MAX_PACKET_SIZE, StreamDecoder } from "./decoder.js";
export type { ServerStreamDecoderOptions } from "./decoder-server.js";
export { decodePacket, SERVER_ACCEPTS, ServerStreamDecoder } from "./decoder-server.js";
export { BufferPool } from "./pool.js";
export { topicMatches, validateTopicFilter, validateTopicName } from "./topic.js";
export {
  MAX_DECIMALS, MAX_WRITABLE_NUMBER, sizeDecimal, utf8Encode, utf8Length, validateSequence, validateUtf8,
  writeAscii, writeDecimal, writeInteger, writeUtf8,
} from "./text.js";
