package org.apache.kafka.common.header;
public class Hex {
    public static String of(byte[] b) {
        if (b == null) return "null";
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x));
        return sb.toString();
    }
    public static String of(String s) { return s == null ? "null" : of(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }
}
