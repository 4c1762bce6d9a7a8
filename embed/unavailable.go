package embed

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
)

// errBusy is what people and clients see while the log cannot take writes
// for a moment: a NATS node went away and the cluster elects a new leader,
// or the connection moves to another node. Retrying with the same command
// id (Idempotency-Key) is safe: a write that landed after all is found by
// it and not written twice.
var errBusy = domain.Errorf(domain.EBUSY, "err.log.busy")

// JetStream API errors that mean "not now" rather than "no".
var transientAPIErrors = map[jetstream.ErrorCode]bool{
	10004: true, // incomplete results
	10008: true, // JetStream system temporarily unavailable (no meta leader)
	10009: true, // cluster can not handle request (not the leader)
	10118: true, // stream is offline
	10163: true, // expected last sequence per subject temporarily unavailable (new leader)
}

// unavailable marks err as a retryable "busy" when it says that the
// cluster cannot answer right now; other errors pass unchanged. ctx is the
// caller's: when it has ended, nobody waits for a verdict.
func unavailable(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || errors.Is(err, errBusy) || !transient(err) {
		return err
	}
	return fmt.Errorf("%w (%w)", errBusy, err)
}

func transient(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return transientAPIErrors[apiErr.ErrorCode]
	}
	for _, e := range []error{
		context.DeadlineExceeded, // the JetStream timeout of a call without a deadline of its own
		nats.ErrTimeout,
		nats.ErrNoResponders,
		jetstream.ErrNoStreamResponse,
		nats.ErrConnectionClosed,
		nats.ErrConnectionReconnecting,
		nats.ErrDisconnected,
		nats.ErrConnectionDraining,
		errLogClosed,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
