package org.apache.kafka.common.header;
import java.util.ArrayList;
import java.util.List;
public class Headers {
    public final List<String[]> entries = new ArrayList<>();
    public Headers add(String key, byte[] value) {
        entries.add(new String[] {Hex.of(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)), Hex.of(value)});
        return this;
    }
}
