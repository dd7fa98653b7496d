package org.apache.kafka.clients.producer;
import org.apache.kafka.common.header.Headers;
public class ProducerRecord<K, V> {
    final String topic; final Integer partition; final Long timestamp; final K key; final V value;
    final Headers headers = new Headers();
    public ProducerRecord(String topic, Integer partition, Long timestamp, K key, V value) {
        this.topic = topic; this.partition = partition; this.timestamp = timestamp; this.key = key; this.value = value;
    }
    public ProducerRecord(String topic, K key, V value) { this(topic, null, null, key, value); }
    public Headers headers() { return headers; }
}
