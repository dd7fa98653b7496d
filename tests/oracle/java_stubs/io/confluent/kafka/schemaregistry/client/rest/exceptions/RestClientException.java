package io.confluent.kafka.schemaregistry.client.rest.exceptions;
public class RestClientException extends Exception {
    public RestClientException(String message) { super(message); }
}
