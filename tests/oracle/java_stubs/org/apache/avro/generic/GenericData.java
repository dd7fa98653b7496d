package org.apache.avro.generic;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
/** Stand-in: records render as JSON-like text (Render.of) so the test can read what was built. */
public class GenericData {
    public static class Record implements GenericRecord {
        public final Schema schema;
        public final Map<String, Object> fields = new LinkedHashMap<>();
        public Record(Schema schema) { this.schema = schema; }
        public void put(String key, Object v) { fields.put(key, v); }
        public Object get(String key) { return fields.get(key); }
    }
    public static class EnumSymbol {
        public final Schema schema; public final String symbol;
        public EnumSymbol(Schema schema, String symbol) { this.schema = schema; this.symbol = symbol; }
    }
    public static class Fixed {
        public final Schema schema; public final byte[] bytes;
        public Fixed(Schema schema, byte[] bytes) { this.schema = schema; this.bytes = bytes; }
    }
}
