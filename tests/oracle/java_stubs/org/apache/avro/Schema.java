package org.apache.avro;
import java.util.List;
/** Stand-in: holds the text and the path the program took into it (no parsing). */
public class Schema {
    public final String path;
    public Schema(String path) { this.path = path; }
    public static class Parser {
        public Schema parse(String text) { return new Schema("schema(" + text.length() + ")"); }
    }
    public static class Field {
        private final Schema schema;
        Field(Schema s) { this.schema = s; }
        public Schema schema() { return schema; }
    }
    public Field getField(String name) { return new Field(new Schema(path + "." + name)); }
    public List<Schema> getTypes() {
        java.util.ArrayList<Schema> l = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) l.add(new Schema(path + "|" + i));
        return l;
    }
    public Schema getElementType() { return new Schema(path + "[]"); }
    public Schema getValueType() { return new Schema(path + "{}"); }
}
