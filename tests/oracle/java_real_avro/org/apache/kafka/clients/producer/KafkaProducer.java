package org.apache.kafka.clients.producer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Hex;

/**
 * Stand-in for kafka-clients' KafkaProducer, compiled against Apache Avro's real jar: send() runs
 * the configured value serializer as the real one would and prints the bytes.
 * - StringSerializer: the String's UTF-8 bytes.
 * - KafkaAvroSerializer: what Confluent's AbstractKafkaAvroSerializer.serializeImpl writes after
 *   its 5-byte header (magic byte 0, schema id): GenericDatumWriter over the record's own schema
 *   into a BinaryEncoder. Anything that writer throws is wrapped in a SerializationException, as
 *   serializeImpl does ("Error serializing Avro message"). The header's schema id is the
 *   registry's choice, so it is not printed here; the test checks the simulation's header apart.
 */
public class KafkaProducer<K, V> implements AutoCloseable {
    private final boolean avroValues;
    private long offset = 0;
    public KafkaProducer(Properties props) {
        avroValues = "io.confluent.kafka.serializers.KafkaAvroSerializer".equals(props.getProperty("value.serializer"));
    }
    public Future<RecordMetadata> send(ProducerRecord<K, V> r, Callback cb) {
        byte[] key = r.key == null ? null : ((String) r.key).getBytes(StandardCharsets.UTF_8);
        String value;
        if (r.value == null) value = "null";
        else if (avroValues) value = "avro:" + Hex.of(avro(r.value));
        else value = "text:" + Hex.of(((String) r.value).getBytes(StandardCharsets.UTF_8));
        System.out.println("SEND " + Hex.of(r.topic) + " " + Hex.of(key) + " " + value);
        RecordMetadata m = new RecordMetadata(r.topic, r.partition == null ? 0 : r.partition, offset++);
        cb.onCompletion(m, null);
        return CompletableFuture.completedFuture(m);
    }
    static byte[] avro(Object datum) {
        if (!(datum instanceof GenericContainer))
            throw new SerializationException("the stand-in writes records only, not " + datum.getClass());
        Schema schema = ((GenericContainer) datum).getSchema();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new GenericDatumWriter<Object>(schema).write(datum, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Error serializing Avro message", e);
        }
    }
    public void flush() { System.out.println("FLUSH"); }
    public void close() {}
}
