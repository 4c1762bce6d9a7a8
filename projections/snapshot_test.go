package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

func fillRoster(t *testing.T, l *embed.Log, n int) []string {
	t.Helper()
	ctx := context.Background()
	h := domain.NewHandler(l, nil, "konstanz")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = newID()
		exec(t, ctx, h, ids[i], "JoinLotse", domain.JoinLotse{Name: fmt.Sprintf("Snap %02d", i), Email: fmt.Sprintf("snap%02d@konstanz.example", i), Amt: domain.Aemter[i%len(domain.Aemter)], City: "Konstanz"})
		if i%3 == 0 {
			exec(t, ctx, h, ids[i], "LeaveRoster", domain.LeaveRoster{Reason: "Wechsel"})
		}
	}
	return ids
}

func runUntilReady(t *testing.T, l *embed.Log, snapshots bool) *projections.Runner {
	t.Helper()
	r := projections.NewRunner(l, nil)
	if snapshots {
		r.UseSnapshots(l, l, 5)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(20 * time.Second)
	for !r.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("runner never caught up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

func foldExport(t *testing.T, l *embed.Log) projections.RosterView {
	t.Helper()
	var buf bytes.Buffer
	if _, err := l.Export(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	msgs, err := embed.ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return projections.FoldRoster(msgs)
}

func TestSnapshotStartsFromTheTail(t *testing.T) {
	l := openLog(t, t.TempDir())
	ids := fillRoster(t, l, 12)
	first := runUntilReady(t, l, true)
	if err := first.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	// An event with a wall post, before the snapshot.
	h := domain.NewHandler(l, nil, "konstanz")
	event := newID()
	if _, err := domain.Execute(context.Background(), h, domain.Events, event, domain.Meta{CommandID: newID()}, "PlanVeranstaltung", any(domain.PlanVeranstaltung{Title: "Meet & Learn", Format: "Meet & Learn", Start: "2024-03-01T10:00", End: "2024-03-01T11:00", HostCity: "Konstanz", GuestCode: "QWE234"})); err != nil {
		t.Fatal(err)
	}
	if _, err := domain.Execute(context.Background(), h, domain.Wall, newID(), domain.Meta{CommandID: newID(), Actor: ids[0]}, "PostToWall", any(domain.PostToWall{Event: event, Text: "Gute Folien"})); err != nil {
		t.Fatal(err)
	}
	first = runUntilReady(t, l, true)
	if err := first.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	// More happens after the snapshot.
	exec(t, context.Background(), h, ids[1], "ChangeAmt", domain.ChangeAmt{Amt: "Archiv"})
	exec(t, context.Background(), h, newID(), "JoinLotse", domain.JoinLotse{Name: "Nach dem Snapshot", Amt: "Kulturamt", City: "Heilbronn"})

	second := runUntilReady(t, l, true)
	if second.RestoredFrom() == 0 {
		t.Fatal("the second runner did not start from the snapshot")
	}
	if got, want := second.Roster(), foldExport(t, l); !reflect.DeepEqual(got, want) {
		t.Fatalf("snapshot + tail differs from a fold of the log:\n got %+v\nwant %+v", got, want)
	}
	// The person's page (with its history) agrees with a rebuild too.
	rebuilt := runUntilReady(t, l, false)
	for _, id := range ids {
		a, _, _ := second.Person(id)
		b, _, _ := rebuilt.Person(id)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("person %s from snapshot:\n%+v\nrebuilt:\n%+v", id, a, b)
		}
	}
	evA, wallA, _, okA := second.Event(event)
	evB, wallB, _, okB := rebuilt.Event(event)
	if !okA || !okB || !reflect.DeepEqual(evA, evB) || !reflect.DeepEqual(wallA, wallB) || len(wallA) != 1 {
		t.Fatalf("event from snapshot %+v %+v, rebuilt %+v %+v", evA, wallA, evB, wallB)
	}
	if byCode, ok := second.EventByCode("QWE234"); !ok || byCode.ID != event {
		t.Fatal("guest code index not restored")
	}
	if _, ok := second.LookupCommand(mustMessage(t, l, 1).CommandID); !ok {
		t.Fatal("the command index was not restored")
	}
	if age, ok := second.SnapshotAge(); !ok || age > time.Minute {
		t.Fatalf("snapshot age: %v %v", age, ok)
	}
}

func TestCorruptOrOutdatedSnapshotIsIgnored(t *testing.T) {
	for name, spoil := range map[string]func([]byte) []byte{
		"corrupt": func(b []byte) []byte {
			b = append([]byte(nil), b...)
			b[len(b)-10] ^= 0xff
			return b
		},
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
		"outdated": func(b []byte) []byte {
			return []byte(strings.Replace(string(b), fmt.Sprintf(`"version":%d`, projections.ReadModelVersion), `"version":1`, 1))
		},
		"garbage": func([]byte) []byte { return []byte("kein Snapshot") },
	} {
		t.Run(name, func(t *testing.T) {
			l := openLog(t, t.TempDir())
			fillRoster(t, l, 6)
			r := runUntilReady(t, l, true)
			if err := r.SaveSnapshot(context.Background()); err != nil {
				t.Fatal(err)
			}
			good, err := l.LoadSnapshot(context.Background())
			if err != nil || good == nil {
				t.Fatal(err)
			}
			if err := l.SaveSnapshot(context.Background(), spoil(good)); err != nil {
				t.Fatal(err)
			}
			again := runUntilReady(t, l, true)
			if again.RestoredFrom() != 0 {
				t.Fatalf("a %s snapshot was used", name)
			}
			if got, want := again.Roster(), foldExport(t, l); !reflect.DeepEqual(got, want) {
				t.Fatalf("rebuild after a %s snapshot differs", name)
			}
		})
	}
}

func TestSnapshotHoldsNoPersonalDataInClearAndHonoursErasure(t *testing.T) {
	l := openLog(t, t.TempDir())
	ids := fillRoster(t, l, 3)
	r := runUntilReady(t, l, true)
	if err := r.SaveSnapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, _ := l.LoadSnapshot(context.Background())
	if bytes.Contains(data, []byte("Snap 01")) {
		t.Fatal("the snapshot is not compressed and sealed")
	}
	// Erase a person after the snapshot: a start from it shows them erased.
	if err := l.ErasePersonalData(context.Background(), ids[1]); err != nil {
		t.Fatal(err)
	}
	again := runUntilReady(t, l, true)
	if again.RestoredFrom() == 0 {
		t.Fatal("not started from the snapshot")
	}
	p, _, _ := again.Person(ids[1])
	if p.Name != domain.ErasedName || p.Email != "" {
		t.Fatalf("erased person from an old snapshot: %+v", p)
	}
	if j := p.History[0].Data.(domain.LotseJoined); j.Name != domain.ErasedName {
		t.Fatalf("history keeps the name: %+v", j)
	}
	if _, ok := again.PersonByEmail("snap01@konstanz.example"); ok {
		t.Fatal("the erased e-mail still finds the person")
	}
}
