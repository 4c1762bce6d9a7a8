package projections

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"logbuch/domain"
)

// Snapshots let a restart skip most of the log: the read models as of a
// sequence, saved now and then; a start loads the newest valid one and
// folds only the tail. A snapshot that is damaged, or was written by a
// program whose read models differ (ReadModelVersion), is ignored and the
// read models are rebuilt from the log.

// ReadModelVersion changes whenever the shape or meaning of a read model
// changes; older snapshots are then ignored.
const ReadModelVersion = 10

// SnapshotStore keeps the newest snapshot.
type SnapshotStore interface {
	SaveSnapshot(ctx context.Context, data []byte) error
	// LoadSnapshot returns nil, nil when there is none.
	LoadSnapshot(ctx context.Context) ([]byte, error)
}

// Sealer protects personal fields in snapshots as the log does: with the
// person's key, so that an erasure makes old snapshots unreadable too.
type Sealer interface {
	SealField(ctx context.Context, person, field, value string) (string, error)
	OpenField(ctx context.Context, person, field, value string) (string, error)
}

const snapshotMagic = "logbuch-projections"

type snapshotHeader struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Seq     uint64    `json:"seq"`
	Taken   time.Time `json:"taken"`
	SHA256  string    `json:"sha256"` // of the compressed body
}

type snapshotBody struct {
	People   []snapPerson              `json:"people"`
	Commands map[string]domain.Result  `json:"commands"`
	Events   []EventInfo               `json:"events"`
	Walls    map[string][]WallPostView `json:"walls"`
	// Models holds the read models that save themselves (snapshotModel),
	// by key; a snapshot that lacks one of them is not used.
	Models map[string]json.RawMessage `json:"models"`
	// Picks are the participants' workshop groups: event → actor → group.
	Picks map[string]map[string]string `json:"picks,omitempty"`
}

// snapshotModel is a read model that saves and restores itself; it seals
// any personal data it keeps on its own.
type snapshotModel interface {
	ReadModel
	snapshotKey() string
	marshalSnapshot() (json.RawMessage, error)
	// restoreSnapshot returns a fresh model of the same kind.
	restoreSnapshot(json.RawMessage) (snapshotModel, error)
}

type snapPerson struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Email    string         `json:"email,omitempty"`
	Erased   bool           `json:"erased,omitempty"`
	Amt      string         `json:"amt"`
	City     string         `json:"city"`
	Role     domain.Role    `json:"role"`
	Active   bool           `json:"active"`
	JoinedAt time.Time      `json:"joined"`
	LeftAt   time.Time      `json:"left"`
	Seqs     []uint64       `json:"seqs"`
	History  []domain.Event `json:"history"`
}

// UseSnapshots makes the runner start from the newest valid snapshot and
// save one after every `every` messages (and on SaveSnapshot).
func (r *Runner) UseSnapshots(store SnapshotStore, sealer Sealer, every uint64) {
	r.snapStore, r.sealer, r.snapEvery = store, sealer, every
}

// encodeSnapshot writes the read models; the read lock is held.
func (r *Runner) encodeSnapshot(ctx context.Context) ([]byte, uint64, error) {
	seal := func(person, field, value string) (string, error) {
		if value == "" || value == domain.Erased(field) {
			return value, nil
		}
		return r.sealer.SealField(ctx, person, field, value)
	}
	body := snapshotBody{Commands: r.commands.byID, Walls: map[string][]WallPostView{}, Models: map[string]json.RawMessage{}, Picks: r.events.picks}
	for _, m := range r.models {
		if sm, ok := m.(snapshotModel); ok {
			data, err := sm.marshalSnapshot()
			if err != nil {
				return nil, 0, fmt.Errorf("snapshot of %s: %w", sm.snapshotKey(), err)
			}
			body.Models[sm.snapshotKey()] = data
		}
	}
	for _, e := range r.events.byID {
		body.Events = append(body.Events, *e)
	}
	for event, posts := range r.events.walls {
		sealed := make([]WallPostView, len(posts))
		for i, p := range posts {
			sealed[i] = p
			if g, ok := strings.CutPrefix(p.Actor, "guest:"); ok {
				var err error
				if sealed[i].GuestName, err = seal(g, "guest_name", p.GuestName); err != nil {
					return nil, 0, err
				}
			}
		}
		body.Walls[event] = sealed
	}
	for _, p := range r.roster.people {
		sp := snapPerson{ID: p.ID, Erased: p.Erased, Amt: p.Amt, City: p.City, Role: p.Role, Active: p.Active, JoinedAt: p.JoinedAt, LeftAt: p.LeftAt}
		var err error
		if sp.Name, err = seal(p.ID, "name", p.Name); err != nil {
			return nil, 0, err
		}
		if sp.Email, err = seal(p.ID, "email", p.Email); err != nil {
			return nil, 0, err
		}
		for _, st := range p.History {
			e := st.Event
			if pd, ok := e.Data.(domain.Personal); ok {
				var serr error
				e.Data = pd.MapPersonal(func(f, v string) string {
					out, err := seal(p.ID, f, v)
					serr = errors.Join(serr, err)
					return out
				})
				if serr != nil {
					return nil, 0, serr
				}
			}
			sp.Seqs = append(sp.Seqs, st.Seq)
			sp.History = append(sp.History, e)
		}
		body.People = append(body.People, sp)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	if err := json.NewEncoder(zw).Encode(body); err != nil {
		return nil, 0, fmt.Errorf("encode snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	sum := sha256.Sum256(zipped.Bytes())
	head, _ := json.Marshal(snapshotHeader{Format: snapshotMagic, Version: ReadModelVersion, Seq: r.applied, Taken: time.Now().UTC(), SHA256: hex.EncodeToString(sum[:])})
	return append(append(head, '\n'), zipped.Bytes()...), r.applied, nil
}

// ErrSnapshotInvalid marks a snapshot that is damaged or from another
// version of the read models.
var ErrSnapshotInvalid = errors.New("snapshot not usable")

// decodeSnapshot reads a snapshot into fresh read models.
func (r *Runner) decodeSnapshot(ctx context.Context, data []byte) (*Roster, *Commands, *Events, []snapshotModel, snapshotHeader, error) {
	var h snapshotHeader
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 || json.Unmarshal(data[:nl], &h) != nil || h.Format != snapshotMagic {
		return nil, nil, nil, nil, h, fmt.Errorf("%w: no snapshot header", ErrSnapshotInvalid)
	}
	if h.Version != ReadModelVersion {
		return nil, nil, nil, nil, h, fmt.Errorf("%w: read-model version %d, this program has %d", ErrSnapshotInvalid, h.Version, ReadModelVersion)
	}
	zipped := data[nl+1:]
	if sum := sha256.Sum256(zipped); hex.EncodeToString(sum[:]) != h.SHA256 {
		return nil, nil, nil, nil, h, fmt.Errorf("%w: checksum mismatch (damaged)", ErrSnapshotInvalid)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		return nil, nil, nil, nil, h, fmt.Errorf("%w: %v", ErrSnapshotInvalid, err)
	}
	var body snapshotBody
	if err := json.NewDecoder(io.LimitReader(zr, 4<<30)).Decode(&body); err != nil {
		return nil, nil, nil, nil, h, fmt.Errorf("%w: %v", ErrSnapshotInvalid, err)
	}
	open := func(person, field, value string) (string, error) {
		if value == "" || value == domain.Erased(field) {
			return value, nil
		}
		return r.sealer.OpenField(ctx, person, field, value)
	}
	roster := NewRoster()
	for _, sp := range body.People {
		p := &Person{ID: sp.ID, Erased: sp.Erased, Amt: sp.Amt, City: sp.City, Role: sp.Role, Active: sp.Active, JoinedAt: sp.JoinedAt, LeftAt: sp.LeftAt}
		if p.Name, err = open(sp.ID, "name", sp.Name); err != nil {
			return nil, nil, nil, nil, h, err
		}
		email, err := open(sp.ID, "email", sp.Email)
		if err != nil {
			return nil, nil, nil, nil, h, err
		}
		if len(sp.Seqs) != len(sp.History) {
			return nil, nil, nil, nil, h, fmt.Errorf("%w: history of %s", ErrSnapshotInvalid, sp.ID)
		}
		for i, e := range sp.History {
			if pd, ok := e.Data.(domain.Personal); ok {
				var oerr error
				e.Data = pd.MapPersonal(func(f, v string) string {
					out, err := open(sp.ID, f, v)
					oerr = errors.Join(oerr, err)
					return out
				})
				if oerr != nil {
					return nil, nil, nil, nil, h, oerr
				}
			}
			p.History = append(p.History, Step{Seq: sp.Seqs[i], Event: e})
		}
		roster.people[p.ID] = p
		roster.setEmail(p, email)
	}
	commands := NewCommands()
	if body.Commands != nil {
		commands.byID = body.Commands
	}
	events := NewEvents()
	for i := range body.Events {
		e := body.Events[i]
		events.byID[e.ID], events.byCode[e.GuestCode] = &e, e.ID
	}
	for event, posts := range body.Walls {
		for i, p := range posts {
			if g, ok := strings.CutPrefix(p.Actor, "guest:"); ok {
				if posts[i].GuestName, err = open(g, "guest_name", p.GuestName); err != nil {
					return nil, nil, nil, nil, h, err
				}
			}
		}
		events.walls[event] = posts
		for _, p := range posts {
			events.posts[p.ID] = event
		}
	}
	if body.Picks != nil {
		events.picks = body.Picks
	}
	var extras []snapshotModel
	for _, m := range r.models {
		sm, ok := m.(snapshotModel)
		if !ok {
			continue
		}
		saved, ok := body.Models[sm.snapshotKey()]
		if !ok {
			return nil, nil, nil, nil, h, fmt.Errorf("%w: no %s in it", ErrSnapshotInvalid, sm.snapshotKey())
		}
		fresh, err := sm.restoreSnapshot(saved)
		if err != nil {
			return nil, nil, nil, nil, h, fmt.Errorf("%w: %s: %v", ErrSnapshotInvalid, sm.snapshotKey(), err)
		}
		extras = append(extras, fresh)
	}
	return roster, commands, events, extras, h, nil
}

// SaveSnapshot writes a snapshot of the read models now.
func (r *Runner) SaveSnapshot(ctx context.Context) error {
	if r.snapStore == nil {
		return nil
	}
	// One save at a time (the runner's own, and one at shutdown).
	r.snapSaving.Lock()
	defer r.snapSaving.Unlock()
	r.progressMu.Lock()
	last := r.lastSnapSeq
	r.progressMu.Unlock()
	r.mu.RLock()
	if r.applied == 0 || r.applied == last {
		r.mu.RUnlock()
		return nil
	}
	data, seq, err := r.encodeSnapshot(ctx)
	r.mu.RUnlock()
	if err != nil {
		return err
	}
	if err := r.snapStore.SaveSnapshot(ctx, data); err != nil {
		return fmt.Errorf("save snapshot at %d: %w", seq, err)
	}
	r.progressMu.Lock()
	r.lastSnapSeq, r.lastSnapTime = seq, time.Now()
	r.progressMu.Unlock()
	r.log.Info("projection snapshot saved", "seq", seq, "bytes", len(data))
	return nil
}

// restore loads the newest valid snapshot, if any; an invalid one is
// reported and ignored.
func (r *Runner) restore(ctx context.Context) {
	start := time.Now()
	data, err := r.snapStore.LoadSnapshot(ctx)
	if err != nil {
		r.log.Warn("cannot read the projection snapshot; rebuilding from the log", "err", err)
		return
	}
	if data == nil {
		return
	}
	roster, commands, events, extras, h, err := r.decodeSnapshot(ctx, data)
	if err != nil {
		r.log.Warn("ignoring the projection snapshot; rebuilding from the log", "err", err, "seq", h.Seq)
		return
	}
	r.mu.Lock()
	r.roster, r.commands, r.events, r.applied = roster, commands, events, h.Seq
	r.models = []ReadModel{r.commands, r.roster, r.events}
	for _, m := range extras {
		r.models = append(r.models, m)
		switch m := m.(type) {
		case *Activity:
			r.activity = m
		case *BarrierReports:
			r.feedback = m
		case *Boards:
			r.boards = m
		case *Conclusions:
			r.conclusions = m
		case *Ratings:
			r.ratings = m
		case *Survey:
			r.survey = m
		}
	}
	r.mu.Unlock()
	r.progressMu.Lock()
	r.restoredFrom, r.lastSnapSeq, r.lastSnapTime = h.Seq, h.Seq, h.Taken
	r.progressMu.Unlock()
	r.log.Info("projections start from a snapshot", "seq", h.Seq, "took", time.Since(start))
}

// RestoredFrom is the sequence of the snapshot this runner started from (0:
// it rebuilt from the log).
func (r *Runner) RestoredFrom() uint64 {
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	return r.restoredFrom
}

// SnapshotAge is the age of the newest snapshot written or loaded.
func (r *Runner) SnapshotAge() (time.Duration, bool) {
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	if r.lastSnapTime.IsZero() {
		return 0, false
	}
	return time.Since(r.lastSnapTime), true
}
