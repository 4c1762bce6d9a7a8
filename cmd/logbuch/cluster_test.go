package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
	"logbuch/web"
)

// startCluster runs three NATS nodes with JetStream and routes on loopback
// for the length of the test.
func startCluster(t *testing.T) *embed.LocalCluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := embed.StartLocalCluster(ctx, t.TempDir(), 3, "cluster-token")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// logMessages reads the whole log, in order, through a feed of its own.
func logMessages(t *testing.T, m *Main) []domain.Recorded {
	t.Helper()
	ctx := testCtx(t)
	feed, err := m.Log.Follow(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Stop()
	var msgs []domain.Recorded
	for {
		rec, pending, err := feed.Next(ctx)
		if err != nil {
			t.Fatalf("read the log after seq %d: %v", rec.Seq, err)
		}
		msgs = append(msgs, rec)
		if pending == 0 {
			return msgs
		}
	}
}

// TestClusterNodeKillDuringWrites: three NATS nodes (R3 stream), two
// Logbuch replicas, clients writing through both; the stream's leader is
// killed during the writes. Every acknowledged command is in the log once,
// writes resume after the election (clients retry 503s with the same
// Idempotency-Key), and both replicas' read models equal a fold of the log.
// LOGBUCH_CLUSTER_KILLS=N kills N leaders one after the other (each killed
// node comes back before the next kill).
func TestClusterNodeKillDuringWrites(t *testing.T) {
	kills := 1
	if v := os.Getenv("LOGBUCH_CLUSTER_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("LOGBUCH_CLUSTER_KILLS=%q: want a number of kills", v)
		}
		kills = n
	}
	const clientsPerReplica = 3
	began := time.Now()
	c := startCluster(t)
	args := []string{"--nats-url", c.URLs(), "--nats-token", c.Token, "--replicas", "3"}
	replicas := []*Main{startLogbuch(t, args...), startLogbuch(t, args...)}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()

	// Every client acts for an admin of its own (commands are rate-limited
	// per person), with an API token that both replicas accept.
	envs := make([]*crashEnv, len(replicas))
	tokens := make([][]string, len(replicas)*clientsPerReplica)
	for i, m := range replicas {
		envs[i] = &crashEnv{client: &http.Client{Timeout: 30 * time.Second}}
		envs[i].setURL(m.URL())
		for k := range clientsPerReplica {
			tok, _, err := web.CreateAPIToken(ctx, m.Log, newPerson(t, m, domain.RoleAdmin), "cluster")
			if err != nil {
				t.Fatal(err)
			}
			tokens[i*clientsPerReplica+k] = []string{tok}
		}
	}
	setupSeq := lastSeq(t, replicas[0])
	js, err := jetstream.New(replicas[0].Log.Conn())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster and replicas up in %v", time.Since(began).Round(time.Millisecond))

	var stop atomic.Bool
	ledgers := make([][]*crashCmd, len(tokens))
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Go(func() { ledgers[i] = envs[i/clientsPerReplica].runClient(ctx, i, tokens[i], &stop) })
	}
	stopClients := sync.OnceFunc(func() { stop.Store(true); wg.Wait() })
	defer func() { cancel(); stopClients() }()

	// grown waits until the log holds n more messages than at from.
	grown := func(what string, from uint64, n uint64) uint64 {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			// The replica's feed follows the log (stream info may lag
			// behind a failover; see Log.LastSeq).
			if s := replicas[0].Runner.Applied(); s >= from+n {
				return s
			}
			time.Sleep(20 * time.Millisecond)
		}
		for i, m := range replicas {
			_, err := m.Log.LastSeq(ctx)
			t.Logf("replica %d: NATS %s %s, applied %d, last seq: %v", i, m.Log.Conn().Status(), m.Log.Conn().ConnectedUrl(), m.Runner.Applied(), err)
		}
		t.Logf("cluster: %s", c.Describe())
		t.Logf("stream info from each node: %s", c.Probe(context.Background(), embed.StreamName))
		t.Fatalf("%s: the log did not grow by %d messages within 60 s", what, n)
		return 0
	}
	seq := grown("before the kill", setupSeq, 40)
	for k := range kills {
		leader, err := c.Leader(ctx, js, embed.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		killedAt := time.Now()
		c.Kill(leader)
		seq = grown(fmt.Sprintf("after killing %s", c.Names()[leader]), seq, 40)
		t.Logf("kill %d: leader %s killed; writes resumed, 40 more messages within %v",
			k+1, c.Names()[leader], time.Since(killedAt).Round(time.Millisecond))
		if k+1 < kills {
			if err := c.Start(leader); err != nil {
				t.Fatal(err)
			}
			seq = grown("after the node came back", seq, 20)
		}
	}
	stopClients()

	var all []*crashCmd
	for _, l := range ledgers {
		all = append(all, l...)
	}
	var busy, noRetryAfter int64
	for _, e := range envs {
		busy, noRetryAfter = busy+e.busy.Load(), noRetryAfter+e.busyWithoutRetryAfter.Load()
	}
	if noRetryAfter > 0 {
		t.Errorf("%d of %d answers 503 came without Retry-After", noRetryAfter, busy)
	}

	// No acknowledged command lost, none twice, none that was refused.
	msgs := logMessages(t, replicas[0])
	var clientMsgs []domain.Recorded
	for _, m := range msgs {
		if m.Seq > setupSeq {
			clientMsgs = append(clientMsgs, m)
		}
	}
	crashCheckLog(t, clientMsgs, all)

	// Both replicas converge to a fold of the log.
	last := msgs[len(msgs)-1].Seq
	folded := projections.FoldRoster(msgs)
	for i, m := range replicas {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := m.Runner.WaitFor(wctx, last)
		cancel()
		if err != nil {
			t.Fatalf("replica %d did not reach seq %d: %v", i, last, err)
		}
		if got := m.Runner.Roster(); !reflect.DeepEqual(got, folded) {
			t.Errorf("replica %d's roster differs from a fold of the log:\ngot  %+v\nfold %+v", i, got, folded)
		}
	}
	crashCheckRoster(t, folded, all)
	retried := 0
	for _, c := range all {
		if c.Failures > 0 || c.Throttled > 0 {
			retried++
		}
	}
	t.Logf("%d commands acknowledged (%d of them retried), %d answers 503 during elections; %d messages in the log; %v",
		len(all), retried, busy, len(msgs), time.Since(began).Round(time.Millisecond))
}
