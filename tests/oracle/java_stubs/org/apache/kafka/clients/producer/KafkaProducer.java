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
            + Hex.of(render(r.key)) + " " + Hex.of(render(r.value)) + " " + h);
        RecordMetadata m = new RecordMetadata(r.topic, r.partition == null ? 0 : r.partition, offset++);
        cb.onCompletion(m, null);
        return CompletableFuture.completedFuture(m);
    }
    /** A String as sent (StringSerializer); an Avro datum as "avro:" + JSON-like text (unions bare, bytes as hex). */
    static String render(Object v) {
        if (v == null || v instanceof String) return (String) v;
        return "avro:" + json(v);
    }
    static String json(Object v) {
        if (v == null) return "null";
        if (v instanceof String) return "\"" + v + "\"";
        if (v instanceof org.apache.avro.generic.GenericData.Record) {
            StringBuilder b = new StringBuilder("{");
            for (java.util.Map.Entry<String, Object> e : ((org.apache.avro.generic.GenericData.Record) v).fields.entrySet())
                b.append(b.length() > 1 ? "," : "").append("\"").append(e.getKey()).append("\":").append(json(e.getValue()));
            return b.append("}").toString();
        }
        if (v instanceof org.apache.avro.generic.GenericData.EnumSymbol) return "\"" + ((org.apache.avro.generic.GenericData.EnumSymbol) v).symbol + "\"";
        if (v instanceof java.nio.ByteBuffer) { java.nio.ByteBuffer bb = ((java.nio.ByteBuffer) v).duplicate(); byte[] a = new byte[bb.remaining()]; bb.get(a); return "\"0x" + Hex.of(a) + "\""; }
        if (v instanceof Long) return v + "L";
        return String.valueOf(v);
    }
    public void flush() { System.out.println("FLUSH"); }
    public void close() {}
}
