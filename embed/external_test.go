package embed_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"logbuch/domain"
	"logbuch/embed"
)

// startNATS runs a separate NATS server on a loopback port, as an
// operator's would be.
func startNATS(t *testing.T, jetStream bool, token string) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: jetStream, StoreDir: t.TempDir(),
		SyncAlways: true, Authorization: token, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func TestExternalNATSWithCredentials(t *testing.T) {
	url := startNATS(t, true, "geheimer-token")
	ctx := ctxT(t)
	l, err := embed.Open(ctx, embed.Config{NatsURL: url, Token: "geheimer-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h := domain.NewHandler(l, nil, "konstanz")
	id := newID()
	if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "JoinLotse", any(join)); err != nil {
		t.Fatal(err)
	}
	if msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id)); err != nil || len(msgs) != 1 {
		t.Fatalf("load from the external server: %v %d", err, len(msgs))
	}

	// A wrong token is refused with a message that says where and what.
	_, err = embed.Open(ctx, embed.Config{NatsURL: url, Token: "falsch"})
	if err == nil || !strings.Contains(err.Error(), "connect to NATS at "+url) || !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestExternalNATSProblemsAreExplained(t *testing.T) {
	ctx := ctxT(t)
	noJS := startNATS(t, false, "")
	_, err := embed.Open(ctx, embed.Config{NatsURL: noJS})
	if err == nil || !strings.Contains(err.Error(), "JetStream") {
		t.Fatalf("server without JetStream: %v", err)
	}
	down := fmt.Sprintf("nats://127.0.0.1:%d", freePort(t))
	_, err = embed.Open(ctx, embed.Config{NatsURL: down})
	if err == nil || !strings.Contains(err.Error(), "is it running and reachable") {
		t.Fatalf("unreachable server: %v", err)
	}
	if _, err := embed.Open(ctx, embed.Config{NatsURL: down, NKeySeed: "/nicht/da.nk"}); err == nil || !strings.Contains(err.Error(), "NKey seed") {
		t.Fatalf("missing NKey seed: %v", err)
	}
}
