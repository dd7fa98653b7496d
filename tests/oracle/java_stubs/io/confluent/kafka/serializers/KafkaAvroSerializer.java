package io.confluent.kafka.serializers;
public class KafkaAvroSerializer {}
