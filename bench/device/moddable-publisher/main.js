/*
 * Device benchmark app (b): Moddable's ECMA-419 example MQTT client ($MODDABLE/examples/io/tcp/mqttclient,
 * module `embedded:network/mqtt/client`, set up by the example's own mqttclient/config) doing the same
 * publishing as ../xsmqtt-publisher: `config.rounds` rounds of 3 readings at QoS 1, at most 4 unacknowledged,
 * to 127.0.0.1:`config.port`. A reading is published the way that client is used: its text made with
 * toFixed() and ArrayBuffer.fromString(), the topic given as a string. Packet ids are passed explicitly
 * (1..65535): the client's own counter reaches id 0 after 65535 messages. Figures come from the probe
 * shared with the xsmqtt publisher.
 */
import config from "mc/config";
import Probe from "xsmqtt-bench/probe";
import "mqttclient/config";

Probe.start();

const port = Number(config.port);
const total = Number(config.rounds ?? 1000) * 3;
const WARM = 600;
const WINDOW = 4;
const TOPICS = ["xsmqtt/bench-0001/sht3x/temperature", "xsmqtt/bench-0001/sht3x/humidity", "xsmqtt/bench-0001/bme280/pressure"];
const DECIMALS = [2, 1, 0];

function reading(i, n) {
	if (i === 0) return 21.5 + (n % 50) / 10;
	if (i === 1) return 40 + (n % 200) / 10;
	return 101325 + (n % 100);
}

let sent = 0, acked = 0, outstanding = 0, done = false, connected = false;

const MQTTClient = device.network.mqtt.io;
const client = new MQTTClient({
	...device.network.mqtt,
	host: "127.0.0.1",
	port,
	id: "bench-moddable",
	keepalive: 60_000,
	onControl(msg) {
		if (MQTTClient.CONNACK === msg.operation) {
			connected = true;
			Probe.connected();
			pump(this);
		}
		else if (MQTTClient.PUBACK === msg.operation) {
			acked++;
			outstanding--;
			if (sent < total)
				pump(this);
			else if ((0 === outstanding) && !done) {
				done = true;
				Probe.finish(total, acked, total - WARM);
				this.write(null, {operation: MQTTClient.DISCONNECT});
				this.close();
			}
		}
	},
	onWritable(count) {
		if (connected)
			pump(this);
	},
	onError() {
		if (!done) Probe.report("fail", "error");
	}
});

Probe.mark("constructed");

function pump(client) {
	while ((sent < total) && (outstanding < WINDOW)) {
		const i = sent % 3;
		const payload = ArrayBuffer.fromString(reading(i, sent).toFixed(DECIMALS[i]));
		Probe.beforePublish();
		try {
			client.write(payload, {topic: TOPICS[i], QoS: 1, id: (sent % 65535) + 1});
		}
		catch {
			Probe.afterPublish();
			return;		// "overflow": no send space; onWritable calls pump again
		}
		Probe.afterPublish();
		outstanding++;
		if (++sent === WARM) Probe.warm();
	}
}
