package org.apache.avro.generic;
public interface GenericRecord {
    void put(String key, Object v);
    Object get(String key);
}
