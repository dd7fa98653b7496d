package io.confluent.kafka.schemaregistry.client;
import io.confluent.kafka.schemaregistry.avro.AvroSchema;
import io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import java.io.IOException;
import org.apache.kafka.common.header.Hex;
public class CachedSchemaRegistryClient {
    public CachedSchemaRegistryClient(String baseUrl, int cacheCapacity) {
        System.out.println("REGISTRY " + Hex.of(baseUrl));
    }
    public int register(String subject, AvroSchema schema) throws IOException, RestClientException {
        System.out.println("REGISTER " + Hex.of(subject) + " " + Hex.of(schema.text));
        return 0;
    }
    public String updateCompatibility(String subject, String compatibility) throws IOException, RestClientException {
        System.out.println("COMPAT " + Hex.of(subject) + " " + compatibility);
        return compatibility;
    }
}
