package domain_test

import (
	"context"
	"testing"

	"logbuch/domain"
)

func TestSharedSubjectsFoldLikeTheCitysOwn(t *testing.T) {
	for _, c := range []struct{ in, local, home string }{
		{domain.SharedSubject("konstanz", "beitrag", "p1"), "lb.konstanz.beitrag.p1", "konstanz"},
		{"lb.geteilt.heilbronn.veranstaltung.e1", "lb.heilbronn.veranstaltung.e1", "heilbronn"},
		{"lb.konstanz.lotse.x", "lb.konstanz.lotse.x", ""},
		{"lb.geteilt.konstanz.beitrag", "lb.geteilt.konstanz.beitrag", "konstanz"}, // not an aggregate subject
	} {
		if got := domain.LocalSubject(c.in); got != c.local {
			t.Errorf("LocalSubject(%q) = %q, want %q", c.in, got, c.local)
		}
		if got := domain.SharedHome(c.in); got != c.home {
			t.Errorf("SharedHome(%q) = %q, want %q", c.in, got, c.home)
		}
	}
}

// memLog is just enough of a log to see where a handler writes.
type memLog struct{ commits []domain.Commit }

func (l *memLog) Load(context.Context, string) ([]domain.Recorded, error) { return nil, nil }
func (l *memLog) Append(_ context.Context, c domain.Commit) (domain.Appended, error) {
	l.commits = append(l.commits, c)
	return domain.Appended{Seq: uint64(len(l.commits))}, nil
}
func (l *memLog) Message(context.Context, uint64) (domain.Recorded, error) {
	return domain.Recorded{}, nil
}

func TestPlacementPutsSharedAggregatesUnderSharedSubjects(t *testing.T) {
	log := &memLog{}
	h := domain.NewHandler(log, nil, "konstanz")
	refused := domain.Errorf(domain.ECONFLICT, "gehört Heilbronn")
	h.SetPlacement(func(_ context.Context, kind, id string, isNew bool, cmd any) (bool, error) {
		switch id {
		case "partners":
			return false, refused
		case "geteilt":
			return true, nil
		}
		return false, nil
	})
	ctx := context.Background()
	post := any(domain.PostToWall{Event: "e1", Text: "Hallo"})
	if _, err := domain.Execute(ctx, h, domain.Wall, "geteilt", domain.Meta{CommandID: "c1", NewAggregate: true}, "PostToWall", post); err != nil {
		t.Fatal(err)
	}
	if _, err := domain.Execute(ctx, h, domain.Wall, "eigen", domain.Meta{CommandID: "c2", NewAggregate: true}, "PostToWall", post); err != nil {
		t.Fatal(err)
	}
	if _, err := domain.Execute(ctx, h, domain.Wall, "partners", domain.Meta{CommandID: "c3", NewAggregate: true}, "PostToWall", post); err != refused {
		t.Fatalf("a partner's aggregate: %v, want the placement's refusal", err)
	}
	want := []string{"lb.geteilt.konstanz.beitrag.geteilt", "lb.konstanz.beitrag.eigen"}
	if len(log.commits) != len(want) {
		t.Fatalf("%d commits, want %d", len(log.commits), len(want))
	}
	for i, c := range log.commits {
		if c.Subject != want[i] || c.Events[0].Tenant != "konstanz" {
			t.Errorf("commit %d on %s (tenant %s), want %s (konstanz)", i, c.Subject, c.Events[0].Tenant, want[i])
		}
	}
}
