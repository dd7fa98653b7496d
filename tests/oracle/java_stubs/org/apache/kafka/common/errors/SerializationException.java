package org.apache.kafka.common.errors;
public class SerializationException extends RuntimeException {
    public SerializationException(String message) { super(message); }
    public SerializationException(String message, Throwable cause) { super(message, cause); }
}
