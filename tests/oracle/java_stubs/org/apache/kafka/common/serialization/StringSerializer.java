package org.apache.kafka.common.serialization;
public class StringSerializer {}
