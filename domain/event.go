package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Data is the payload of an event: a fact in the past tense.
type Data interface {
	// EventType is the stable name stored in the log, e.g. "LotseJoined".
	EventType() string
}

// Event is the envelope every fact in the log is wrapped in (DESIGN.md).
type Event struct {
	ID      uuid.UUID // UUIDv7
	Type    string
	Version int
	At      time.Time
	Actor   string // a person id, "guest:<id>" or "system"
	Tenant  string // the city, e.g. "konstanz"
	Data    Data
}

// SystemActor is the actor of events that no person caused (the demo, imports).
const SystemActor = "system"

// WireEvent is an envelope as stored: its data still encoded. Exports embed
// it in their lines.
type WireEvent struct {
	ID      uuid.UUID       `json:"id"`
	Type    string          `json:"type"`
	Version int             `json:"v"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Tenant  string          `json:"tenant"`
	Data    json.RawMessage `json:"data"`
}

// Wire encodes the event's data.
func (e Event) Wire() (WireEvent, error) {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return WireEvent{}, fmt.Errorf("encode %s data: %w", e.Type, err)
	}
	return WireEvent{ID: e.ID, Type: e.Type, Version: e.Version, At: e.At, Actor: e.Actor, Tenant: e.Tenant, Data: data}, nil
}

// eventType describes how to read one stored event type. Upcast turns an
// older schema version's payload into the current one before decoding.
type eventType struct {
	version int
	decode  func(json.RawMessage) (Data, error)
	upcast  map[int]func(json.RawMessage) (json.RawMessage, error)
}

var eventTypes = map[string]eventType{}

// register makes an event type readable from the log. Called from init
// functions of the aggregate files, so each aggregate lists its own facts.
func register[T Data](version int) {
	var zero T
	eventTypes[zero.EventType()] = eventType{
		version: version,
		decode: func(raw json.RawMessage) (Data, error) {
			var d T
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&d); err != nil {
				return nil, err
			}
			return d, nil
		},
	}
}

// KnownEventType reports whether the log may contain events of this type.
func KnownEventType(t string) bool {
	_, ok := eventTypes[t]
	return ok
}

// MarshalJSON writes the envelope in its stored form.
func (e Event) MarshalJSON() ([]byte, error) {
	w, err := e.Wire()
	if err != nil {
		return nil, err
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a stored envelope, upcasting old schema versions.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w WireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode event envelope: %w", err)
	}
	ev, err := w.Event()
	if err != nil {
		return err
	}
	*e = ev
	return nil
}

// Event decodes the data, upcasting old schema versions.
func (w WireEvent) Event() (Event, error) {
	t, ok := eventTypes[w.Type]
	if !ok {
		return Event{}, fmt.Errorf("decode event %s: unknown type %q", w.ID, w.Type)
	}
	if w.ID == uuid.Nil {
		return Event{}, fmt.Errorf("decode event of type %s: missing id", w.Type)
	}
	raw := w.Data
	for v := w.Version; v < t.version; v++ {
		up, ok := t.upcast[v]
		if !ok {
			return Event{}, fmt.Errorf("decode event %s: no upcaster for %s v%d", w.ID, w.Type, v)
		}
		var err error
		if raw, err = up(raw); err != nil {
			return Event{}, fmt.Errorf("upcast event %s from v%d: %w", w.ID, v, err)
		}
	}
	if w.Version > t.version {
		return Event{}, fmt.Errorf("decode event %s: %s v%d is newer than this program (v%d)", w.ID, w.Type, w.Version, t.version)
	}
	d, err := t.decode(raw)
	if err != nil {
		return Event{}, fmt.Errorf("decode event %s data (%s): %w", w.ID, w.Type, err)
	}
	return Event{ID: w.ID, Type: w.Type, Version: t.version, At: w.At, Actor: w.Actor, Tenant: w.Tenant, Data: d}, nil
}

// EncodeEvents writes the events of one command as one log message payload.
// One message per command is what makes a command's events atomic.
func EncodeEvents(events []Event) ([]byte, error) {
	return json.Marshal(events)
}

// DecodeEvents reads one log message payload: the envelopes in one pass,
// then each event's data (rebuilds spend most of their time here).
func DecodeEvents(payload []byte) ([]Event, error) {
	var wire []WireEvent
	if err := json.Unmarshal(payload, &wire); err != nil {
		return nil, err
	}
	if len(wire) == 0 {
		return nil, fmt.Errorf("decode events: empty message")
	}
	events := make([]Event, len(wire))
	for i, w := range wire {
		e, err := w.Event()
		if err != nil {
			return nil, err
		}
		events[i] = e
	}
	return events, nil
}
