/**
 * Public API of the MQTT 3.1.1 codec.
 * @module
 */
export * from "./codes.js";
export {
  copyBytes, putVarInt, readU16, sizeVarInt, writeBytes, writeU16, writeU8, writeVarInt,
} from "./bytes.js";
export { checkFixedHeader, Packet, readFixedHeader } from "./packet.js";
export type { ConnackInfo, ConnectInfo, WillInfo } from "./connect.js";
export {
  decodeConnack, decodeConnackBody, decodeConnect, decodeConnectBody, encodeConnack, encodeConnect, sizeConnack,
  sizeConnect,
} from "./connect.js";
export type { PublishInfo } from "./publish.js";
export {
  decodePublish, decodePublishBody, decodePublishHead, encodePublish, encodePublishHeader, sizePublish,
  sizePublishHeader,
} from "./publish.js";
export { decodeAck, decodeAckBody, encodeAck, isAckType, sizeAck } from "./ack.js";
export type { SubackInfo, SubscribeInfo, UnsubscribeInfo } from "./subscribe.js";
export {
  decodeSuback, decodeSubackBody, decodeSubscribe, decodeSubscribeBody, decodeUnsubscribe, decodeUnsubscribeBody,
  encodeSuback, encodeSubscribe, encodeUnsubscribe, sizeSuback, sizeSubscribe, sizeUnsubscribe,
} from "./subscribe.js";
export { decodeEmpty, decodeEmptyBody, encodeEmpty, isEmptyType, sizeEmpty } from "./ping.js";
export type { StreamDecoderOptions } from "./decoder.js";
export { CLIENT_ACCEPTS, decodePacket, MAX_PACKET_SIZE, SERVER_ACCEPTS, StreamDecoder } from "./decoder.js";
export { BufferPool } from "./pool.js";
export {
  filterLength, filterOffset, filterQos, firstFilter, nextFilter, topicMatches, validateTopicFilter,
  validateTopicName,
} from "./topic.js";
export {
  MAX_DECIMALS, MAX_WRITABLE_NUMBER, sizeDecimal, utf8Encode, utf8Length, validateSequence, validateUtf8,
  writeAscii, writeDecimal, writeInteger, writeUtf8,
} from "./text.js";
