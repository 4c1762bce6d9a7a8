package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func openLog(t *testing.T, dir string) *embed.Log {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := embed.Open(ctx, embed.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func startRunner(t *testing.T, l *embed.Log) (*projections.Runner, context.CancelFunc) {
	t.Helper()
	r := projections.NewRunner(l, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, cancel
}

func exec(t *testing.T, ctx context.Context, h *domain.Handler, id, typ string, cmd any) domain.Result {
	t.Helper()
	res, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, typ, cmd)
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return res
}

func TestRunnerReportsChangedViewsAndWaitFor(t *testing.T) {
	l := openLog(t, t.TempDir())
	r, _ := startRunner(t, l)
	var mu sync.Mutex
	var changes []projections.Change
	r.OnChange(func(c projections.Change) { mu.Lock(); changes = append(changes, c); mu.Unlock() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h := domain.NewHandler(l, r, "konstanz")
	id := newID()
	res := exec(t, ctx, h, id, "JoinLotse", domain.JoinLotse{Name: "Ida Wolf", Amt: "Archiv", City: "Konstanz"})
	if err := r.WaitFor(ctx, res.Seq); err != nil {
		t.Fatal(err)
	}
	// Read-your-writes: after WaitFor the read model shows the write.
	if p, _, ok := r.Person(id); !ok || p.Name != "Ida Wolf" || !p.Active {
		t.Fatalf("person after wait: %+v %v", p, ok)
	}
	// Listeners hear of a batch just after WaitFor may return: wait for it.
	var last projections.Change
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		if n := len(changes); n > 0 {
			last = changes[n-1]
		}
		mu.Unlock()
		if last.Seq >= res.Seq {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no change reported")
		}
	}
	dashboard := projections.DashboardView(time.Now().In(domain.Berlin).Year())
	if last.Seq != res.Seq || !reflect.DeepEqual(last.Views, []string{"roster", "lotse/" + id, dashboard}) {
		t.Fatalf("change %+v, want seq %d views roster, lotse/%s and %s", last, res.Seq, id, dashboard)
	}
	// The command index answers a retry long after the log's own window.
	if got, ok := r.LookupCommand(mustMessage(t, l, res.Seq).CommandID); !ok || got.Seq != res.Seq {
		t.Fatalf("command index: %+v %v", got, ok)
	}
}

func mustMessage(t *testing.T, l *embed.Log, seq uint64) domain.Recorded {
	t.Helper()
	m, err := l.Message(context.Background(), seq)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReadModelAfterRestartEqualsFoldOfExport(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h := domain.NewHandler(l, nil, "konstanz")
	var ids []string
	for i := 0; i < 30; i++ {
		id := newID()
		ids = append(ids, id)
		exec(t, ctx, h, id, "JoinLotse", domain.JoinLotse{Name: fmt.Sprintf("Lotse %02d", i), Amt: domain.Aemter[i%len(domain.Aemter)], City: domain.Cities[i%2]})
	}
	for i, id := range ids {
		switch i % 5 {
		case 1:
			exec(t, ctx, h, id, "LeaveRoster", domain.LeaveRoster{Reason: "Stellenwechsel"})
		case 2:
			exec(t, ctx, h, id, "ChangeAmt", domain.ChangeAmt{Amt: "Kulturamt"})
		case 3:
			exec(t, ctx, h, id, "ChangeRole", domain.ChangeRole{Role: domain.RoleLenkungsgruppe})
		case 4:
			exec(t, ctx, h, id, "LeaveRoster", domain.LeaveRoster{})
			exec(t, ctx, h, id, "RejoinRoster", domain.RejoinRoster{Amt: "Hauptamt"})
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Restart: a new server on the same data dir, a new runner from scratch.
	l2 := openLog(t, dir)
	r, _ := startRunner(t, l2)
	for !r.Ready() {
		select {
		case <-ctx.Done():
			t.Fatal("runner never caught up")
		case <-time.After(10 * time.Millisecond):
		}
	}
	var buf bytes.Buffer
	if _, err := l2.Export(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	msgs, err := embed.ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, want := r.Roster(), projections.FoldRoster(msgs)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read model after restart differs from a fold of the export:\n got %+v\nwant %+v", got, want)
	}
	if got.Active != 24 || len(got.Former) != 6 {
		t.Fatalf("counts: %d active, %d former; want 24 and 6", got.Active, len(got.Former))
	}
}

func TestReadyOnEmptyLog(t *testing.T) {
	l := openLog(t, t.TempDir())
	r, _ := startRunner(t, l)
	deadline := time.Now().Add(10 * time.Second)
	for !r.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("an empty log never became ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
