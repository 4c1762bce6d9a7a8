// Package domain holds what Logbuch knows about the Digitallotsen: events,
// commands, the deciders that turn commands into events, validation and the
// errors users see. It does no I/O: the log and the pages live elsewhere and
// meet the domain through the small interfaces defined here.
package domain
