package embed_test

import (
	"context"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/embed"
)

// A cluster that lost its quorum cannot take writes: the log says "busy,
// try again" (503 with Retry-After on the web), not an internal error; once
// the nodes are back, the same command goes through, once.
func TestClusterWithoutQuorumAnswersBusyThenRecovers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := embed.StartLocalCluster(ctx, t.TempDir(), 3, "cluster-token")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := embed.Open(ctx, embed.Config{NatsURL: c.URLs(), Token: c.Token, Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h := domain.NewHandler(l, nil, "konstanz")
	// A cluster that just formed elects the leaders of its buckets first:
	// until then it answers busy, and a client tries again.
	first, firstCmd := newID(), newID()
	for {
		_, err := domain.Execute(ctx, h, domain.Roster, first, domain.Meta{CommandID: firstCmd}, "JoinLotse", any(join))
		if err == nil {
			break
		}
		if domain.ErrorCode(err) != domain.EBUSY || ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	c.Kill(1)
	c.Kill(2)
	id, cmd := newID(), newID()
	start := time.Now()
	// Like an HTTP request, the command has no deadline of its own: the
	// log's timeout applies.
	_, err = domain.Execute(context.Background(), h, domain.Roster, id, domain.Meta{CommandID: cmd, NewAggregate: true}, "JoinLotse", any(join))
	if code := domain.ErrorCode(err); code != domain.EBUSY {
		t.Fatalf("append without quorum: code %q (%v), want %q", code, err, domain.EBUSY)
	}
	if msg := domain.ErrorMessage(err); msg.Key == "" || msg.Key == domain.ErrInternalKey {
		t.Fatalf("no German message for busy: %q", msg)
	}
	t.Logf("busy after %v: %v", time.Since(start).Round(time.Millisecond), err)

	for _, i := range []int{1, 2} {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	// The client retries the same command until the cluster takes it.
	var res domain.Result
	for ctx.Err() == nil {
		res, err = domain.Execute(context.Background(), h, domain.Roster, id, domain.Meta{CommandID: cmd, NewAggregate: true}, "JoinLotse", any(join))
		if domain.ErrorCode(err) != domain.EBUSY {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("after the nodes came back: %v", err)
	}
	// Reads may come from a node that is still catching up: wait for it.
	var msgs []domain.Recorded
	for ctx.Err() == nil && len(msgs) == 0 {
		if msgs, err = l.Load(ctx, "lb.konstanz.lotse."+id); err != nil && domain.ErrorCode(err) != domain.EBUSY {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(msgs) != 1 || msgs[0].Seq != res.Seq || msgs[0].CommandID != cmd {
		t.Fatalf("the retried command is in the log %d times (answer seq %d): %+v", len(msgs), res.Seq, msgs)
	}
}
