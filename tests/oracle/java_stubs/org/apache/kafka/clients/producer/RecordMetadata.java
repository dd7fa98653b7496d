package org.apache.kafka.clients.producer;
public class RecordMetadata {
    private final String topic; private final int partition; private final long offset;
    RecordMetadata(String topic, int partition, long offset) { this.topic = topic; this.partition = partition; this.offset = offset; }
    public String topic() { return topic; }
    public int partition() { return partition; }
    public long offset() { return offset; }
}
