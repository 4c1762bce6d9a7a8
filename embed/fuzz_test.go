package embed_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/embed"
)

// exportSeed is a valid export of one command with two events.
const exportSeed = `{"seq":1,"subject":"lb.konstanz.lotse.a","command":"c1","command_type":"JoinLotse","id":"01936f0e-0000-7000-8000-000000000001","type":"LotseJoined","v":1,"at":"2023-01-01T00:00:00Z","actor":"system","tenant":"konstanz","data":{"name":"Mara Feld","amt":"Kulturamt","city":"Konstanz","role":"lotse"}}
{"seq":1,"subject":"lb.konstanz.lotse.a","command":"c1","command_type":"JoinLotse","id":"01936f0e-0000-7000-8000-000000000002","type":"LotseLeft","v":1,"at":"2023-01-01T00:00:00Z","actor":"system","tenant":"konstanz","data":{}}
`

// FuzzReadExport checks what ReadExport promises for any input: it never
// panics, what it accepts is a gapless log of non-empty, decoded messages on
// lb. subjects that export writes back readably, and every refusal names
// the line.
func FuzzReadExport(f *testing.F) {
	f.Add([]byte(exportSeed))
	f.Add([]byte(""))
	f.Add([]byte("\n\n"))
	f.Add([]byte(strings.Replace(exportSeed, `"seq":1`, `"seq":2`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := embed.ReadExport(bytes.NewReader(data))
		if err != nil {
			if msgs != nil {
				t.Errorf("error %q together with %d messages", err, len(msgs))
			}
			if !strings.HasPrefix(err.Error(), "Zeile ") {
				t.Fatalf("error does not name the line: %q", err)
			}
			return
		}
		for i, m := range msgs {
			if m.Seq != uint64(i)+1 {
				t.Fatalf("message %d has sequence %d, want %d", i, m.Seq, i+1)
			}
			if len(m.Events) == 0 {
				t.Fatalf("message %d has no events", m.Seq)
			}
			if !strings.HasPrefix(m.Subject, "lb.") {
				t.Fatalf("message %d on subject %q", m.Seq, m.Subject)
			}
			if m.CommandID != "" && !domain.ValidCommandID(m.CommandID) {
				t.Fatalf("message %d with command id %q", m.Seq, m.CommandID)
			}
			if strings.ContainsAny(m.CommandType, "\r\n") {
				t.Fatalf("message %d with command type %q", m.Seq, m.CommandType)
			}
			for _, e := range m.Events {
				if e.ID == uuid.Nil || e.Data == nil || !domain.KnownEventType(e.Type) || e.Data.EventType() != e.Type {
					t.Fatalf("message %d: event not decoded: %+v", m.Seq, e)
				}
			}
		}
		// What export writes of the accepted log, import reads back, and
		// exporting that again gives the same lines.
		again, err := embed.ReadExport(bytes.NewReader(exportLines(t, msgs)))
		if err != nil {
			t.Fatalf("the export of an accepted log is refused: %v", err)
		}
		if a, b := exportLines(t, msgs), exportLines(t, again); !bytes.Equal(a, b) {
			t.Fatalf("export, import, export changed the log:\n%s\n%s", a, b)
		}
	})
}

func exportLines(t *testing.T, msgs []domain.Recorded) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range msgs {
		for _, e := range m.Events {
			b, err := embed.ExportLine(m, e)
			if err != nil {
				t.Fatalf("export message %d: %v", m.Seq, err)
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}
