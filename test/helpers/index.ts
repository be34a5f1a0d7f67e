/**
 * Test helpers in one import: private mosquitto brokers, a test PKI, a fault-injecting proxy, unique topics
 * and MQTT.js observers. Each module documents its contract; see test/hosts/*.test.ts for their own tests.
 * @module
 */
export { startMosquitto, mosquittoBinary, freePort, type MosquittoBroker, type MosquittoOptions, type MosquittoTlsOptions } from "./mosquitto.js";
export { makeTestPki, type TestPki, type CertPair, type TestKeyType } from "./certs.js";
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type Direction } from "./fault-proxy.js";
export { uniqueTopic } from "./topics.js";
export { connectObserver, collect, topicMatches, type Collector, type ObservedMessage, type MqttClient } from "./mqttjs.js";
