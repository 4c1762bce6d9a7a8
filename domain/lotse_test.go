package domain_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"logbuch/domain"
)

// given folds events into the roster state, when decides the command, then
// the test compares events or the error.
func given(data ...domain.Data) domain.Lotse {
	events := make([]domain.Event, len(data))
	for i, d := range data {
		events[i] = domain.Event{Type: d.EventType(), Data: d}
	}
	return domain.Roster.Fold(events)
}

var joined = domain.LotseJoined{Name: "Mara Feld", Amt: "Kulturamt", City: "Konstanz", Role: domain.RoleLotse}

func thenEvents(t *testing.T, state domain.Lotse, cmd any, want ...domain.Data) {
	t.Helper()
	got, err := domain.Roster.Decide(state, cmd)
	if err != nil {
		t.Fatalf("decide %T: unexpected error %v", cmd, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decide %T:\n got %#v\nwant %#v", cmd, got, want)
	}
}

func thenError(t *testing.T, state domain.Lotse, cmd any, code, field, msgPart string) {
	t.Helper()
	got, err := domain.Roster.Decide(state, cmd)
	if err == nil {
		t.Fatalf("decide %T: want error %s, got events %#v", cmd, code, got)
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("decide %T: want *domain.Error, got %T %v", cmd, err, err)
	}
	if de.Code != code || de.Field != field || !strings.Contains(said(de.Message), msgPart) {
		t.Fatalf("decide %T: got %s/%s %q, want %s/%s containing %q", cmd, de.Code, de.Field, said(de.Message), code, field, msgPart)
	}
	if len(got) != 0 {
		t.Fatalf("decide %T: error with events %#v", cmd, got)
	}
}

func TestJoin(t *testing.T) {
	t.Run("a new person joins with trimmed name", func(t *testing.T) {
		thenEvents(t, given(), domain.JoinLotse{Name: "  Mara Feld ", Amt: "Kulturamt", City: "Konstanz", Role: domain.RoleLotse}, joined)
	})
	t.Run("role defaults to Lotse", func(t *testing.T) {
		thenEvents(t, given(), domain.JoinLotse{Name: "Mara Feld", Amt: "Kulturamt", City: "Konstanz"}, joined)
	})
	t.Run("empty name", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: "   ", Amt: "Kulturamt", City: "Konstanz"}, domain.EINVALID, "name", "Bitte geben Sie einen Namen an")
	})
	t.Run("name too long", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: strings.Repeat("ä", domain.MaxNameLength+1), Amt: "Kulturamt", City: "Konstanz"}, domain.EINVALID, "name", "zu lang")
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: "Ma\xffra", Amt: "Kulturamt", City: "Konstanz"}, domain.EINVALID, "name", "ungültige Zeichen")
	})
	t.Run("line break in a name", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: "Mara\nFeld", Amt: "Kulturamt", City: "Konstanz"}, domain.EINVALID, "name", "Steuerzeichen")
	})
	t.Run("unknown Amt", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: "Mara", Amt: "Amt für Zauberei", City: "Konstanz"}, domain.EINVALID, "amt", "Amt aus der Liste")
	})
	t.Run("unknown city", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: "Mara", Amt: "Kulturamt", City: "Berlin"}, domain.EINVALID, "city", "Konstanz oder Heilbronn")
	})
	t.Run("unknown role", func(t *testing.T) {
		thenError(t, given(), domain.JoinLotse{Name: "Mara", Amt: "Kulturamt", City: "Konstanz", Role: "king"}, domain.EINVALID, "role", "Rolle")
	})
	t.Run("joining twice", func(t *testing.T) {
		thenError(t, given(joined), domain.JoinLotse{Name: "Mara Feld", Amt: "Kulturamt", City: "Konstanz"}, domain.ECONFLICT, "", "schon auf der Liste")
	})
}

func TestChangeAmt(t *testing.T) {
	t.Run("active Lotse changes Amt", func(t *testing.T) {
		thenEvents(t, given(joined), domain.ChangeAmt{Amt: "Archiv"}, domain.LotseAmtChanged{From: "Kulturamt", To: "Archiv"})
	})
	t.Run("same Amt", func(t *testing.T) {
		thenError(t, given(joined), domain.ChangeAmt{Amt: "Kulturamt"}, domain.EINVALID, "amt", "gehört bereits zu: Kulturamt")
	})
	t.Run("unknown Amt", func(t *testing.T) {
		thenError(t, given(joined), domain.ChangeAmt{Amt: "x"}, domain.EINVALID, "amt", "Amt aus der Liste")
	})
	t.Run("nobody", func(t *testing.T) {
		thenError(t, given(), domain.ChangeAmt{Amt: "Archiv"}, domain.ENOTFOUND, "", "gibt es nicht")
	})
	t.Run("after leaving", func(t *testing.T) {
		thenError(t, given(joined, domain.LotseLeft{}), domain.ChangeAmt{Amt: "Archiv"}, domain.ECONFLICT, "", "ausgeschieden")
	})
	t.Run("after a move, the new Amt is the current one", func(t *testing.T) {
		thenEvents(t, given(joined, domain.LotseAmtChanged{From: "Kulturamt", To: "Archiv"}), domain.ChangeAmt{Amt: "Kulturamt"}, domain.LotseAmtChanged{From: "Archiv", To: "Kulturamt"})
	})
}

func TestChangeRole(t *testing.T) {
	t.Run("Lotse joins the Lenkungsgruppe", func(t *testing.T) {
		thenEvents(t, given(joined), domain.ChangeRole{Role: domain.RoleLenkungsgruppe}, domain.LotseRoleChanged{From: domain.RoleLotse, To: domain.RoleLenkungsgruppe})
	})
	t.Run("same role", func(t *testing.T) {
		thenError(t, given(joined), domain.ChangeRole{Role: domain.RoleLotse}, domain.EINVALID, "role", "bereits")
	})
	t.Run("unknown role", func(t *testing.T) {
		thenError(t, given(joined), domain.ChangeRole{Role: "root"}, domain.EINVALID, "role", "Rolle")
	})
	t.Run("after leaving", func(t *testing.T) {
		thenError(t, given(joined, domain.LotseLeft{}), domain.ChangeRole{Role: domain.RoleAdmin}, domain.ECONFLICT, "", "ausgeschieden")
	})
	t.Run("nobody", func(t *testing.T) {
		thenError(t, given(), domain.ChangeRole{Role: domain.RoleAdmin}, domain.ENOTFOUND, "", "gibt es nicht")
	})
}

func TestLeaveAndRejoin(t *testing.T) {
	t.Run("active Lotse leaves with a reason", func(t *testing.T) {
		thenEvents(t, given(joined), domain.LeaveRoster{Reason: " Elternzeit "}, domain.LotseLeft{Reason: "Elternzeit"})
	})
	t.Run("leaving twice", func(t *testing.T) {
		thenError(t, given(joined, domain.LotseLeft{}), domain.LeaveRoster{}, domain.ECONFLICT, "", "bereits ausgeschieden")
	})
	t.Run("nobody leaves", func(t *testing.T) {
		thenError(t, given(), domain.LeaveRoster{}, domain.ENOTFOUND, "", "gibt es nicht")
	})
	t.Run("reason too long", func(t *testing.T) {
		thenError(t, given(joined), domain.LeaveRoster{Reason: strings.Repeat("x", domain.MaxReasonLength+1)}, domain.EINVALID, "reason", "zu lang")
	})
	t.Run("former Lotse rejoins in the old Amt", func(t *testing.T) {
		thenEvents(t, given(joined, domain.LotseLeft{}), domain.RejoinRoster{}, domain.LotseRejoined{Amt: "Kulturamt"})
	})
	t.Run("former Lotse rejoins in another Amt", func(t *testing.T) {
		thenEvents(t, given(joined, domain.LotseLeft{}), domain.RejoinRoster{Amt: "Hauptamt"}, domain.LotseRejoined{Amt: "Hauptamt"})
	})
	t.Run("active Lotse cannot rejoin", func(t *testing.T) {
		thenError(t, given(joined), domain.RejoinRoster{}, domain.ECONFLICT, "", "noch aktiv")
	})
	t.Run("rejoined Lotse can leave again", func(t *testing.T) {
		thenEvents(t, given(joined, domain.LotseLeft{}, domain.LotseRejoined{Amt: "Archiv"}), domain.LeaveRoster{}, domain.LotseLeft{})
	})
	t.Run("unknown command", func(t *testing.T) {
		thenError(t, given(joined), struct{}{}, domain.EINVALID, "", "Unbekannte Aktion")
	})
}

func TestEventEnvelopeRoundTrip(t *testing.T) {
	events := []domain.Event{{Type: "LotseJoined", Version: 1, Actor: "system", Tenant: "konstanz", Data: joined}}
	events[0].ID = [16]byte{1}
	b, err := domain.EncodeEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	got, err := domain.DecodeEvents(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, events) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, events)
	}
	for _, bad := range []string{`[]`, `[{"id":"00000000-0000-0000-0000-000000000000","type":"LotseJoined","v":1,"data":{}}]`, `[{"id":"01000000-0000-0000-0000-000000000000","type":"Nope","v":1,"data":{}}]`, `[{"id":"01000000-0000-0000-0000-000000000000","type":"LotseLeft","v":9,"data":{}}]`, `[{"id":"01000000-0000-0000-0000-000000000000","type":"LotseLeft","v":1,"data":{"x":1}}]`} {
		if _, err := domain.DecodeEvents([]byte(bad)); err == nil {
			t.Errorf("decode %s: want error", bad)
		}
	}
}
