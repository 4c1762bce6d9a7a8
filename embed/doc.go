// Package embed runs the event log on NATS JetStream: an embedded nats-server
// with file storage in the data dir (the default), or a connection to an
// external NATS cluster. It appends the events of one command atomically and
// with optimistic concurrency, loads aggregates, and feeds projections.
package embed
