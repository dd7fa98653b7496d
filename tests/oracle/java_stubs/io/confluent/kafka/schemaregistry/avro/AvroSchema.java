package io.confluent.kafka.schemaregistry.avro;
public class AvroSchema {
    public final String text;
    public AvroSchema(String schemaString) { this.text = schemaString; }
}
