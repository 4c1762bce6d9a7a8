package embed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
)

// exportLine is one event of `logbuch export`: the envelope plus where it
// lies in the log. Events of one command share seq, subject and command.
type exportLine struct {
	Seq         uint64 `json:"seq"`
	Subject     string `json:"subject"`
	Command     string `json:"command"`
	CommandType string `json:"command_type"`
	domain.WireEvent
}

// Export writes every event of the log as one JSON object per line.
func (l *Log) Export(ctx context.Context, w io.Writer) (int, error) {
	last, err := l.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	if last == 0 {
		return 0, nil
	}
	f, err := l.Follow(ctx, 1)
	if err != nil {
		return 0, err
	}
	defer f.Stop()
	bw := bufio.NewWriter(w)
	n := 0
	for {
		rec, _, err := f.Next(ctx)
		if err != nil {
			return n, fmt.Errorf("export at %d: %w", rec.Seq, err)
		}
		for _, e := range rec.Events {
			b, err := ExportLine(rec, e)
			if err != nil {
				return n, err
			}
			bw.Write(b)
			bw.WriteByte('\n')
			n++
		}
		if rec.Seq >= last {
			return n, bw.Flush()
		}
	}
}

// ExportLine encodes one event the way `logbuch export` writes it.
func ExportLine(rec domain.Recorded, e domain.Event) ([]byte, error) {
	w, err := e.Wire()
	if err != nil {
		return nil, fmt.Errorf("export event %s: %w", e.ID, err)
	}
	return json.Marshal(exportLine{Seq: rec.Seq, Subject: rec.Subject, Command: rec.CommandID, CommandType: rec.CommandType, WireEvent: w})
}

// MaxImportLine bounds one line of an import file.
const MaxImportLine = 2 * MaxMessageSize

// ReadExport parses an export file into messages, checking everything
// before anything is written: sequences start at 1 and have no gaps, events
// of one message are adjacent and agree on subject and command, and every
// event decodes. Errors name the line.
func ReadExport(r io.Reader) ([]domain.Recorded, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []domain.Recorded
	line := 0
	for {
		b, err := readLine(br)
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("Zeile %d: %w", line, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var el exportLine
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&el); err != nil {
			return nil, fmt.Errorf("Zeile %d: kein gültiges JSON-Ereignis: %w", line, err)
		}
		if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
			return nil, fmt.Errorf("Zeile %d: mehr als ein JSON-Objekt", line)
		}
		if !validSubject(el.Subject) {
			return nil, fmt.Errorf("Zeile %d: ungültiges Subject %q", line, el.Subject)
		}
		if el.Command != "" && !domain.ValidCommandID(el.Command) {
			return nil, fmt.Errorf("Zeile %d: ungültige Befehlskennung %q", line, el.Command)
		}
		if strings.ContainsAny(el.CommandType, "\r\n") {
			return nil, fmt.Errorf("Zeile %d: ungültiger Befehlstyp", line)
		}
		e, err := el.WireEvent.Event()
		if err != nil {
			return nil, fmt.Errorf("Zeile %d: %w", line, err)
		}
		switch {
		case len(out) > 0 && out[len(out)-1].Seq == el.Seq:
			prev := &out[len(out)-1]
			if prev.Subject != el.Subject || prev.CommandID != el.Command || prev.CommandType != el.CommandType {
				return nil, fmt.Errorf("Zeile %d: Ereignisse derselben Sequenz %d gehören zu verschiedenen Befehlen", line, el.Seq)
			}
			prev.Events = append(prev.Events, e)
		case el.Seq == uint64(len(out))+1:
			out = append(out, domain.Recorded{Seq: el.Seq, Subject: el.Subject, CommandID: el.Command, CommandType: el.CommandType, Events: []domain.Event{e}})
		default:
			return nil, fmt.Errorf("Zeile %d: Sequenz %d erwartet, %d gefunden", line, len(out)+1, el.Seq)
		}
	}
	return out, nil
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if err == io.EOF && len(buf) > 0 {
				return buf, nil
			}
			return nil, err
		}
		buf = append(buf, chunk...)
		if len(buf) > MaxImportLine {
			return nil, fmt.Errorf("Zeile länger als %d Bytes", MaxImportLine)
		}
		if !isPrefix {
			return buf, nil
		}
	}
}

func validSubject(s string) bool {
	tokens := strings.Split(s, ".")
	if len(tokens) < 3 || tokens[0] != "lb" {
		return false
	}
	for _, t := range tokens {
		if !domain.ValidCommandID(t) {
			return false
		}
	}
	return true
}

// ErrNotEmpty means an import was asked of a log that already holds events.
var ErrNotEmpty = errors.New("the log is not empty")

// Import writes messages read by ReadExport into an empty log, keeping
// their sequences, subjects and command ids.
func (l *Log) Import(ctx context.Context, msgs []domain.Recorded) error {
	last, err := l.LastSeq(ctx)
	if err != nil {
		return err
	}
	if last != 0 {
		return fmt.Errorf("%w: it holds %d messages; import only into an empty data dir", ErrNotEmpty, last)
	}
	const window = 256
	pending := make([]jetstream.PubAckFuture, 0, window)
	seqs := make([]uint64, 0, window)
	check := func() error {
		for i, f := range pending {
			select {
			case ack := <-f.Ok():
				if ack.Duplicate || ack.Sequence != seqs[i] {
					return fmt.Errorf("import: message %d landed at %d (duplicate %v)", seqs[i], ack.Sequence, ack.Duplicate)
				}
			case err := <-f.Err():
				return fmt.Errorf("import %s: %w", f.Msg().Subject, err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		pending, seqs = pending[:0], seqs[:0]
		return nil
	}
	for _, rec := range msgs {
		sealed, err := l.keys.seal(ctx, rec.Subject, rec.Events)
		if err != nil {
			return fmt.Errorf("import %d: %w", rec.Seq, err)
		}
		payload, err := domain.EncodeEvents(sealed)
		if err != nil {
			return fmt.Errorf("import %d: %w", rec.Seq, err)
		}
		msg := nats.NewMsg(rec.Subject)
		msg.Data = payload
		msg.Header.Set(headerCommandType, rec.CommandType)
		id := rec.CommandID
		if id == "" {
			id = rec.Events[0].ID.String()
		}
		// Expecting the previous sequence keeps the import in order and
		// stops it at the first message that would land elsewhere.
		f, err := l.js.PublishMsgAsync(msg, jetstream.WithMsgID(id), jetstream.WithExpectLastSequence(rec.Seq-1))
		if err != nil {
			return fmt.Errorf("import %d: %w", rec.Seq, err)
		}
		pending, seqs = append(pending, f), append(seqs, rec.Seq)
		if len(pending) == window {
			if err := check(); err != nil {
				return err
			}
		}
	}
	return check()
}
