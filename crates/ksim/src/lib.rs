//! Deterministic simulation of a Kafka cluster and producer on a virtual clock.
