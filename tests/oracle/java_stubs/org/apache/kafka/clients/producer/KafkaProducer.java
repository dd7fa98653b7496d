package org.apache.kafka.clients.producer;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.common.header.Hex;
public class KafkaProducer<K, V> implements AutoCloseable {
    private long offset = 0;
    public KafkaProducer(Properties props) {
        for (String name : new java.util.TreeSet<>(props.stringPropertyNames()))
            System.out.println("PROP " + Hex.of(name) + " " + Hex.of(props.getProperty(name)));
    }
    public Future<RecordMetadata> send(ProducerRecord<K, V> r, Callback cb) {
        StringBuilder h = new StringBuilder();
        for (String[] e : r.headers.entries) h.append(e[0]).append('=').append(e[1]).append(',');
        System.out.println("SEND " + Hex.of(r.topic) + " " + r.partition + " " + r.timestamp + " "
            + Hex.of((String) r.key) + " " + Hex.of((String) r.value) + " " + h);
        RecordMetadata m = new RecordMetadata(r.topic, r.partition == null ? 0 : r.partition, offset++);
        cb.onCompletion(m, null);
        return CompletableFuture.completedFuture(m);
    }
    public void flush() { System.out.println("FLUSH"); }
    public void close() {}
}
