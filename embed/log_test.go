package embed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
)

func openLog(t *testing.T, dir string) *embed.Log {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := embed.Open(ctx, embed.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("open log in %s: %v", dir, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func event(d domain.Data) domain.Event {
	return domain.Event{ID: uuid.Must(uuid.NewV7()), Type: d.EventType(), Version: 1, At: time.Now().UTC(), Actor: "system", Tenant: "konstanz", Data: d}
}

var join = domain.JoinLotse{Name: "Mara Feld", Amt: "Kulturamt", City: "Konstanz"}

func lastSeq(t *testing.T, l *embed.Log) uint64 {
	t.Helper()
	n, err := l.LastSeq(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConflictingAppendsOneWinsOtherRedecides(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	// Two handlers stand for two writers with their own cached state.
	a := domain.NewHandler(l, nil, "konstanz")
	b := domain.NewHandler(l, nil, "konstanz")
	id := newID()
	if _, err := domain.Execute(ctx, a, domain.Roster, id, domain.Meta{CommandID: newID()}, "JoinLotse", any(join)); err != nil {
		t.Fatal(err)
	}
	// b caches the state after the join.
	if _, err := domain.Execute(ctx, b, domain.Roster, id, domain.Meta{CommandID: newID()}, "ChangeRole", any(domain.ChangeRole{Role: domain.RoleAdmin})); err != nil {
		t.Fatal(err)
	}
	// a still believes the join is the last event: its append conflicts, it
	// reloads, decides again on fresh state, and wins.
	if _, err := domain.Execute(ctx, a, domain.Roster, id, domain.Meta{CommandID: newID()}, "ChangeAmt", any(domain.ChangeAmt{Amt: "Archiv"})); err != nil {
		t.Fatal(err)
	}
	// b's cached state is now stale too; a command that is no longer valid
	// fails clearly after the re-decide.
	_, err := domain.Execute(ctx, b, domain.Roster, id, domain.Meta{CommandID: newID()}, "ChangeAmt", any(domain.ChangeAmt{Amt: "Archiv"}))
	if domain.ErrorCode(err) != domain.EINVALID || !slices.Contains(domain.ErrorMessage(err).Args, any("Archiv")) {
		t.Fatalf("stale writer: got %v, want the re-decided validation error", err)
	}
	msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, m := range msgs {
		types = append(types, m.Events[0].Type)
	}
	if got, want := strings.Join(types, ","), "LotseJoined,LotseRoleChanged,LotseAmtChanged"; got != want {
		t.Fatalf("history: got %s, want %s", got, want)
	}
}

func TestRacingWritersOnOneAggregate(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	id := newID()
	if _, err := domain.Execute(ctx, domain.NewHandler(l, nil, "konstanz"), domain.Roster, id, domain.Meta{CommandID: newID()}, "JoinLotse", any(join)); err != nil {
		t.Fatal(err)
	}
	// Eight writers each flip the role once; every command must land exactly
	// once despite the contention, or fail with a clear busy error.
	roles := []domain.Role{domain.RoleAdmin, domain.RoleLenkungsgruppe}
	var wg sync.WaitGroup
	var mu sync.Mutex
	landed := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			h := domain.NewHandler(l, nil, "konstanz")
			_, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "ChangeRole", any(domain.ChangeRole{Role: roles[i%2]}))
			mu.Lock()
			defer mu.Unlock()
			switch domain.ErrorCode(err) {
			case domain.EINTERNAL:
				if err == nil {
					landed++
					return
				}
				t.Errorf("writer %d: %v", i, err)
			case domain.EINVALID, domain.EBUSY: // re-decided: the role was already set, or too much contention
			default:
				t.Errorf("writer %d: unexpected %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != landed+1 {
		t.Fatalf("log has %d messages, want join + %d landed", len(msgs), landed)
	}
	// Every landed change is a real change: the re-decide saw fresh state.
	state := domain.Roster.Initial
	for _, m := range msgs {
		for _, e := range m.Events {
			if rc, ok := e.Data.(domain.LotseRoleChanged); ok && rc.From != state.Role {
				t.Fatalf("seq %d changes role from %s, but it was %s: decided on stale state", m.Seq, rc.From, state.Role)
			}
			state = domain.Roster.Evolve(state, e)
		}
	}
	if landed == 0 {
		t.Fatal("no writer landed")
	}
}

func TestStaleAppendIsTypedConflict(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	subject := domain.Subject("konstanz", "lotse", newID())
	if _, err := l.Append(ctx, domain.Commit{Subject: subject, ExpectedSeq: 0, CommandID: newID(), CommandType: "JoinLotse", Events: []domain.Event{event(domain.LotseJoined{Name: "A", Amt: "Archiv", City: "Konstanz", Role: "lotse"})}}); err != nil {
		t.Fatal(err)
	}
	_, err := l.Append(ctx, domain.Commit{Subject: subject, ExpectedSeq: 0, CommandID: newID(), CommandType: "JoinLotse", Events: []domain.Event{event(domain.LotseJoined{Name: "B", Amt: "Archiv", City: "Konstanz", Role: "lotse"})}})
	var ce *embed.ConflictError
	if !errors.Is(err, domain.ErrStale) || !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConflictError matching domain.ErrStale", err)
	}
	if got := lastSeq(t, l); got != 1 {
		t.Fatalf("last seq %d, want 1: the conflicting append must write nothing", got)
	}
}

func TestCommandEventsLandAllOrNone(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	subject := domain.Subject("konstanz", "lotse", newID())
	three := []domain.Event{
		event(domain.LotseJoined{Name: "A", Amt: "Archiv", City: "Konstanz", Role: "lotse"}),
		event(domain.LotseAmtChanged{From: "Archiv", To: "Kulturamt"}),
		event(domain.LotseRoleChanged{From: "lotse", To: "admin"}),
	}
	app, err := l.Append(ctx, domain.Commit{Subject: subject, CommandID: newID(), CommandType: "X", Events: three})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := l.Load(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || len(msgs[0].Events) != 3 || msgs[0].Seq != app.Seq {
		t.Fatalf("got %d messages, want one message with all three events at %d", len(msgs), app.Seq)
	}
	// A failed expectation writes none of the three.
	if _, err := l.Append(ctx, domain.Commit{Subject: subject, ExpectedSeq: 0, CommandID: newID(), CommandType: "X", Events: three}); !errors.Is(err, domain.ErrStale) {
		t.Fatalf("stale: got %v", err)
	}
	// A command too large for one message writes none of its events either.
	big := make([]domain.Event, 0, 40)
	for i := 0; i < 40; i++ {
		big = append(big, event(domain.LotseLeft{Reason: strings.Repeat("x", 30000)}))
	}
	if _, err := l.Append(ctx, domain.Commit{Subject: subject, ExpectedSeq: app.Seq, CommandID: newID(), CommandType: "X", Events: big}); err == nil {
		t.Fatal("oversized command: want an error")
	}
	if got := lastSeq(t, l); got != app.Seq {
		t.Fatalf("last seq %d, want %d: failed commands must write nothing", got, app.Seq)
	}
}

func TestRetriedAppendWritesOnce(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	c := domain.Commit{Subject: domain.Subject("konstanz", "lotse", newID()), CommandID: newID(), CommandType: "JoinLotse",
		Events: []domain.Event{event(domain.LotseJoined{Name: "A", Amt: "Archiv", City: "Konstanz", Role: "lotse"})}}
	first, err := l.Append(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// The same commit again, as after a lost acknowledgment.
	again, err := l.Append(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Seq != first.Seq {
		t.Fatalf("retry: got %+v, want a duplicate of seq %d", again, first.Seq)
	}
	if got := lastSeq(t, l); got != 1 {
		t.Fatalf("last seq %d, want 1", got)
	}
}

func TestSameCommandTwiceConcurrentlyAppliesOnce(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	cmdID := newID()
	// A join creates a new aggregate: both attempts pick different new ids,
	// so only the command id can tell them apart.
	var wg sync.WaitGroup
	results := make([]domain.Result, 6)
	errs := make([]error, 6)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			h := domain.NewHandler(l, nil, "konstanz")
			results[i], errs[i] = domain.Execute(ctx, h, domain.Roster, newID(), domain.Meta{CommandID: cmdID}, "JoinLotse", any(join))
		}(i)
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("attempt %d: %v", i, errs[i])
		}
		if results[i].Seq != results[0].Seq || results[i].Subject != results[0].Subject {
			t.Fatalf("answers differ: %+v vs %+v", results[i], results[0])
		}
	}
	if got := lastSeq(t, l); got != 1 {
		t.Fatalf("last seq %d, want 1: the command must be applied once", got)
	}
	// The same id for another kind of command is refused.
	_, err := domain.Execute(ctx, domain.NewHandler(l, nil, "konstanz"), domain.Roster, results[0].AggregateID(), domain.Meta{CommandID: cmdID}, "LeaveRoster", any(domain.LeaveRoster{}))
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("reused id for another command: got %v", err)
	}
}

func TestEventsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	ctx := ctxT(t)
	id := newID()
	h := domain.NewHandler(l, nil, "konstanz")
	if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "JoinLotse", any(join)); err != nil {
		t.Fatal(err)
	}
	if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "LeaveRoster", any(domain.LeaveRoster{Reason: "Wechsel"})); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2 := openLog(t, dir)
	msgs, err := l2.Load(ctx, domain.Subject("konstanz", "lotse", id))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[1].Events[0].Data != (domain.LotseLeft{Reason: "Wechsel"}) {
		t.Fatalf("after restart: %+v", msgs)
	}
}

// TestHelperOpenDataDir is run as a second process by
// TestSecondProcessOnSameDataDirIsRefused.
func TestHelperOpenDataDir(t *testing.T) {
	dir := os.Getenv("LOGBUCH_TEST_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	_, err := embed.Open(context.Background(), embed.Config{DataDir: dir})
	fmt.Fprintf(os.Stderr, "OPEN RESULT: %v\n", err)
	if err == nil {
		os.Exit(0)
	}
	os.Exit(3)
}

func TestSecondProcessOnSameDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	openLog(t, dir)
	// In the same process, a second open is refused.
	if _, err := embed.Open(ctxT(t), embed.Config{DataDir: dir}); !errors.Is(err, embed.ErrDataDirLocked) {
		t.Fatalf("second open: got %v, want ErrDataDirLocked", err)
	}
	// And in another process, with a message naming the holder.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpenDataDir$")
	cmd.Env = append(os.Environ(), "LOGBUCH_TEST_HELPER_DIR="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("second process: got %v (stderr %s), want exit code 3", err, stderr.String())
	}
	if want := fmt.Sprintf("in use by another Logbuch process (pid %d)", os.Getpid()); !strings.Contains(stderr.String(), want) {
		t.Fatalf("second process said %q, want it to contain %q", stderr.String(), want)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src := openLog(t, t.TempDir())
	ctx := ctxT(t)
	h := domain.NewHandler(src, nil, "konstanz")
	for i := 0; i < 5; i++ {
		id := newID()
		if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "JoinLotse", any(domain.JoinLotse{Name: fmt.Sprintf("Person %d", i), Amt: "Archiv", City: "Heilbronn"})); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "LeaveRoster", any(domain.LeaveRoster{})); err != nil {
				t.Fatal(err)
			}
		}
	}
	var first bytes.Buffer
	n, err := src.Export(ctx, &first)
	if err != nil || n != 8 {
		t.Fatalf("export: %d events, %v", n, err)
	}
	msgs, err := embed.ReadExport(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dst := openLog(t, t.TempDir())
	if err := dst.Import(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if _, err := dst.Export(ctx, &second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Fatalf("export after import differs:\n%s\nvs\n%s", first.String(), second.String())
	}
	if err := dst.Import(ctx, msgs); !errors.Is(err, embed.ErrNotEmpty) {
		t.Fatalf("import into a non-empty log: got %v", err)
	}
}

func TestReadExportNamesBadLines(t *testing.T) {
	good := `{"seq":1,"subject":"lb.konstanz.lotse.a","command":"c1","command_type":"JoinLotse","id":"01936f0e-0000-7000-8000-000000000001","type":"LotseLeft","v":1,"at":"2023-01-01T00:00:00Z","actor":"system","tenant":"konstanz","data":{}}`
	cases := map[string]string{
		"not json":       good + "\n{",
		"gap":            good + "\n" + strings.Replace(good, `"seq":1`, `"seq":3`, 1),
		"unknown field":  strings.Replace(good, `"seq":1`, `"seq":1,"x":2`, 1),
		"bad subject":    strings.Replace(good, `lb.konstanz.lotse.a`, `lb.>`, 1),
		"unknown type":   strings.Replace(good, `LotseLeft`, `Nope`, 1),
		"mixed same seq": good + "\n" + strings.Replace(good, `"command":"c1"`, `"command":"c2"`, 1),
		"header newline": strings.Replace(good, `"command_type":"JoinLotse"`, `"command_type":"a\nb"`, 1),
	}
	for name, in := range cases {
		if _, err := embed.ReadExport(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "Zeile") {
			t.Errorf("%s: got %v, want an error naming the line", name, err)
		}
	}
	if msgs, err := embed.ReadExport(strings.NewReader(good + "\n" + strings.Replace(good, "0001", "0002", 1) + "\n")); err != nil || len(msgs) != 1 || len(msgs[0].Events) != 2 {
		t.Fatalf("two events of one command: %v %+v", err, msgs)
	}
}

func TestEmbeddedServerFsyncsBeforeAck(t *testing.T) {
	l := openLog(t, t.TempDir())
	if known, on := l.FsyncBeforeAck(); !known || !on {
		t.Fatalf("embedded JetStream: sync always known=%v on=%v, want fsync before every acknowledgment", known, on)
	}
}

func TestPersonalDataIsSealedAndErasable(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	ctx := ctxT(t)
	h := domain.NewHandler(l, nil, "konstanz")
	id := newID()
	if _, err := domain.Execute(ctx, h, domain.Roster, id, domain.Meta{CommandID: newID()}, "JoinLotse",
		any(domain.JoinLotse{Name: "Rosalind Geheimnis", Email: "rosalind@konstanz.example", Amt: "Archiv", City: "Konstanz"})); err != nil {
		t.Fatal(err)
	}
	// The stored message holds no clear text of the personal fields.
	js, err := jetstream.New(l.Conn())
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, embed.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := stream.GetLastMsgForSubject(ctx, domain.Subject("konstanz", "lotse", id))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw.Data, []byte("Rosalind")) || bytes.Contains(raw.Data, []byte("rosalind@")) || !bytes.Contains(raw.Data, []byte("enc1:")) {
		t.Fatalf("stored message is not sealed: %s", raw.Data)
	}
	// Reading opens it.
	msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id))
	if err != nil {
		t.Fatal(err)
	}
	if j := msgs[0].Events[0].Data.(domain.LotseJoined); j.Name != "Rosalind Geheimnis" || j.Email != "rosalind@konstanz.example" {
		t.Fatalf("opened: %+v", j)
	}
	// After erasure, in this process and after a restart, it reads as erased.
	if err := l.ErasePersonalData(ctx, id); err != nil {
		t.Fatal(err)
	}
	check := func(l *embed.Log) {
		t.Helper()
		msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id))
		if err != nil {
			t.Fatal(err)
		}
		if j := msgs[0].Events[0].Data.(domain.LotseJoined); j.Name != domain.ErasedName || j.Email != "" || j.Amt != "Archiv" {
			t.Fatalf("after erasure: %+v", j)
		}
		var buf bytes.Buffer
		if _, err := l.Export(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "Rosalind") || strings.Contains(buf.String(), "rosalind@") {
			t.Fatal("the export still holds the erased person's data")
		}
	}
	check(l)
	l.Close()
	check(openLog(t, dir))
}

func TestNATSPortOnlyWithCredentials(t *testing.T) {
	_, err := embed.Open(ctxT(t), embed.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "--nats-user") {
		t.Fatalf("listen without credentials: %v", err)
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	l, err := embed.Open(ctxT(t), embed.Config{DataDir: t.TempDir(), Listen: addr, User: "ops", Password: "s3cret-pass"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if nc, err := nats.Connect("nats://" + addr); err == nil {
		nc.Close()
		t.Fatal("connected without credentials")
	}
	nc, err := nats.Connect("nats://"+addr, nats.UserInfo("ops", "s3cret-pass"))
	if err != nil {
		t.Fatalf("with credentials: %v", err)
	}
	nc.Close()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Loading aggregates makes no consumers: a stream allows only so many, and
// a restart with a cold cache loads thousands.
func TestLoadLeavesNoConsumers(t *testing.T) {
	l := openLog(t, t.TempDir())
	ctx := ctxT(t)
	h := domain.NewHandler(l, nil, "konstanz")
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = newID()
		if _, err := domain.Execute(ctx, h, domain.Roster, ids[i], domain.Meta{CommandID: newID()}, "JoinLotse", any(join)); err != nil {
			t.Fatal(err)
		}
	}
	// A long history, longer than one read batch.
	for i := 0; i < 300; i++ {
		role := domain.RoleAdmin
		if i%2 == 1 {
			role = domain.RoleLotse
		}
		if _, err := domain.Execute(ctx, h, domain.Roster, ids[0], domain.Meta{CommandID: newID()}, "ChangeRole", any(domain.ChangeRole{Role: role})); err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; round < 5; round++ {
		for _, id := range ids {
			msgs, err := l.Load(ctx, domain.Subject("konstanz", "lotse", id))
			if err != nil {
				t.Fatal(err)
			}
			if id == ids[0] && len(msgs) != 301 {
				t.Fatalf("long history: %d messages, want 301", len(msgs))
			}
		}
	}
	js, _ := jetstream.New(l.Conn())
	s, err := js.Stream(ctx, embed.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Fatalf("%d consumers left after 150 loads", info.State.Consumers)
	}
}
