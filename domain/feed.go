package domain

import "context"

// Feed delivers the log in order from a sequence on, then follows it live.
type Feed interface {
	// Next blocks until the next message. pending is how many more messages
	// the log held when this one was delivered (0: caught up). A message the
	// program cannot decode comes with an error and its Seq set, so that the
	// reader can skip it knowingly.
	Next(ctx context.Context) (rec Recorded, pending uint64, err error)
	Stop()
}

// Source is the log as readers need it.
type Source interface {
	Follow(ctx context.Context, fromSeq uint64) (Feed, error)
	LastSeq(ctx context.Context) (uint64, error)
}
