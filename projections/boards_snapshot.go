package projections

import "encoding/json"

// The boards hold no personal data (people are ids, named by the roster),
// so they are saved in snapshots as they are.
func (b *Boards) snapshotKey() string { return "boards" }

func (b *Boards) marshalSnapshot() (json.RawMessage, error) { return json.Marshal(b) }

func (b *Boards) restoreSnapshot(data json.RawMessage) (snapshotModel, error) {
	var fresh Boards
	if err := json.Unmarshal(data, &fresh); err != nil { // refuses an incomplete model
		return nil, err
	}
	return &fresh, nil
}
